package web

import (
	"io"
	"net/http"

	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/intake"
)

// workOrderResponse is what a partner gets back for a work order: Haven's
// references and where it stands.
type workOrderResponse struct {
	PartnerID   string         `json:"partner_order_id"`
	Ref         string         `json:"haven_ref"`
	IncidentRef string         `json:"incident_ref"`
	State       intake.State   `json:"state"`
	StateName   string         `json:"state_name"`
	Status      string         `json:"status"`
	Outcome     intake.Outcome `json:"outcome,omitempty"`
	StatusNotes string         `json:"status_notes"`
	Duplicate   bool           `json:"duplicate"`
	Merged      bool           `json:"merged"`
}

// partnerBody applies the partner key's rate limit and reads the request
// body; false means the answer was written already.
func (s *Server) partnerBody(w http.ResponseWriter, r *http.Request, op string) ([]byte, bool) {
	if !s.allow(w, r, s.partnerLimit, info(r).actor.UserID) {
		return nil, false
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.fail(w, r, errs.E(errs.Invalid, op, "err.body_too_large"))
		return nil, false
	}
	return body, true
}

func (s *Server) apiWorkOrderCreate(w http.ResponseWriter, r *http.Request) {
	ri := info(r)
	body, ok := s.partnerBody(w, r, "web.workorder")
	if !ok {
		return
	}
	res, err := s.Partners.ReceiveWorkOrder(r.Context(), ri.actor, intake.Channel(r.PathValue("code")), body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	inc := res.Incident
	if res.Duplicate {
		w.Header().Set("Idempotent-Replay", "true")
	}
	writeJSON(w, http.StatusCreated, workOrderResponse{
		PartnerID: res.Signal.ExternalID, Ref: res.Signal.Ref, IncidentRef: inc.Ref, State: inc.State,
		StateName: intake.StateNames[inc.State], Status: inc.State.Open311Status(), Outcome: inc.Outcome,
		StatusNotes: inc.StatusNotes, Duplicate: res.Duplicate, Merged: res.Merged,
	})
}

func (s *Server) apiWorkOrderStatus(w http.ResponseWriter, r *http.Request) {
	v, err := s.Partners.WorkOrderStatus(r.Context(), info(r).actor, intake.Channel(r.PathValue("code")), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, workOrderResponse{
		PartnerID: v.ExternalID, Ref: v.Ref, IncidentRef: v.IncidentRef, State: v.State, StateName: intake.StateNames[v.State],
		Status: v.State.Open311Status(), Outcome: v.Outcome, StatusNotes: v.StatusNotes,
	})
}
