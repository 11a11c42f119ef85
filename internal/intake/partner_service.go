package intake

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
)

// PartnerStore keeps partners and their outbound notifications.
type PartnerStore interface {
	EnsurePartner(ctx context.Context, p *Partner) error
	PartnerByCode(ctx context.Context, code Channel) (*Partner, error)
	ListPartners(ctx context.Context) ([]*Partner, error)
	UpdatePartner(ctx context.Context, p *Partner, e audit.Entry) error
	DeadDeliveries(ctx context.Context, limit int) ([]*Delivery, error)
	PendingDeliveries(ctx context.Context, limit int) ([]*Delivery, error)
	DeliveriesOfSignal(ctx context.Context, signalID string) ([]*Delivery, error)
	Resend(ctx context.Context, id string, now time.Time, e audit.Entry) error
}

// Partners is the partner side of intake: work orders in, settings, and
// the dead-letter queue.
type Partners struct {
	Intake *Service
	Store  PartnerStore

	// Every work order needs its partner's key binding and mapping; they
	// change rarely, so they are cached briefly (and dropped on Update).
	cacheMu sync.Mutex
	cache   map[Channel]cachedPartner
}

type cachedPartner struct {
	p  *Partner
	at time.Time
}

const partnerCacheTTL = 5 * time.Second

func (p *Partners) partner(ctx context.Context, code Channel) (*Partner, error) {
	p.cacheMu.Lock()
	c, ok := p.cache[code]
	p.cacheMu.Unlock()
	if ok && time.Since(c.at) < partnerCacheTTL {
		return c.p, nil
	}
	pt, err := p.Store.PartnerByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	p.cacheMu.Lock()
	if p.cache == nil {
		p.cache = map[Channel]cachedPartner{}
	}
	p.cache[code] = cachedPartner{pt, time.Now()}
	p.cacheMu.Unlock()
	return pt, nil
}

func (p *Partners) forget(code Channel) {
	p.cacheMu.Lock()
	delete(p.cache, code)
	p.cacheMu.Unlock()
}

const secretContext = "partners.secret"

// EnsureDefaults creates the default partners on a new installation.
func (p *Partners) EnsureDefaults(ctx context.Context) error {
	for _, d := range DefaultPartners() {
		d.UpdatedAt = p.Intake.now()
		if err := p.Store.EnsurePartner(ctx, &d); err != nil {
			return err
		}
	}
	return nil
}

// ReceiveWorkOrder takes a partner's work order in its own JSON format.
// Errors: NotFound (no such partner), Forbidden (the key is not this
// partner's), Invalid (the body does not fit the mapping, or the signal
// does not validate).
func (p *Partners) ReceiveWorkOrder(ctx context.Context, a auth.Actor, code Channel, body []byte) (*Result, error) {
	const op = "intake.ReceiveWorkOrder"
	pt, err := p.partner(ctx, code)
	if err != nil {
		return nil, err
	}
	if a.Role != auth.RolePartner || pt.APIKeyID == "" || a.UserID != pt.APIKeyID {
		return nil, errs.E(errs.Forbidden, op, "err.partner_key")
	}
	in, err := pt.Mapping.Apply(code, body)
	if err != nil {
		return nil, &errs.Error{Kind: errs.Invalid, Op: op, Msg: "err.work_order", Err: err}
	}
	return p.Intake.Submit(ctx, a, in)
}

// WorkOrderStatus returns where one of the partner's work orders stands.
func (p *Partners) WorkOrderStatus(ctx context.Context, a auth.Actor, code Channel, externalID string) (*SignalView, error) {
	const op = "intake.WorkOrderStatus"
	pt, err := p.partner(ctx, code)
	if err != nil {
		return nil, err
	}
	if a.Role != auth.RolePartner || a.UserID != pt.APIKeyID {
		return nil, errs.E(errs.Forbidden, op, "err.partner_key")
	}
	return p.Intake.Store.SignalByExternal(ctx, code, externalID)
}

// List returns every partner for the administration page.
func (p *Partners) List(ctx context.Context, a auth.Actor) ([]*Partner, error) {
	if err := a.Require("intake.Partners", auth.PermPartnersManage); err != nil {
		return nil, err
	}
	return p.Store.ListPartners(ctx)
}

// PartnerEdit is the administrator's form for one partner.
type PartnerEdit struct {
	APIKeyID   string
	WebhookURL string
	Mapping    Mapping
	NewSecret  bool // generate a new signing secret
}

// Update saves a partner's settings. It returns the new signing secret
// when one was generated (shown once).
func (p *Partners) Update(ctx context.Context, a auth.Actor, code Channel, ed PartnerEdit) (string, error) {
	const op = "intake.UpdatePartner"
	if err := a.Require(op, auth.PermPartnersManage); err != nil {
		return "", err
	}
	pt, err := p.Store.PartnerByCode(ctx, code)
	if err != nil {
		return "", err
	}
	f := map[string]string{}
	if ed.WebhookURL != "" {
		u, err := url.Parse(ed.WebhookURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			f["webhook_url"] = "err.url"
		}
	}
	if err := ed.Mapping.Validate(); err != nil {
		f["mapping"] = "err.mapping"
	}
	if len(f) > 0 {
		return "", errs.InvalidFields(op, f)
	}
	var changed []string
	if ed.APIKeyID != pt.APIKeyID {
		changed = append(changed, "api_key")
	}
	if ed.WebhookURL != pt.WebhookURL {
		changed = append(changed, "webhook_url")
	}
	pt.APIKeyID, pt.WebhookURL, pt.Mapping = ed.APIKeyID, strings.TrimSpace(ed.WebhookURL), ed.Mapping
	var secret string
	if ed.NewSecret || pt.SecretSealed == "" {
		secret = auth.NewToken(32)
		sealed, err := p.Intake.Keys.Seal(secretContext, secret)
		if err != nil {
			return "", errs.Wrap(errs.Internal, op, err)
		}
		pt.SecretSealed = sealed
		changed = append(changed, "secret")
	}
	pt.UpdatedAt = p.Intake.now()
	e := a.Entry("partner.update", "partner", string(code))
	e.Detail = strings.Join(append(changed, "mapping"), ",")
	defer p.forget(code)
	if err := p.Store.UpdatePartner(ctx, pt, e); err != nil {
		if errs.Is(errs.Invalid, err) {
			return "", errs.InvalidFields(op, map[string]string{"api_key_id": "err.invalid_choice"})
		}
		return "", err
	}
	return secret, nil
}

// Secret opens a partner's signing secret (for the webhook worker).
func (p *Partners) Secret(pt *Partner) (string, error) {
	return p.Intake.Keys.Open(secretContext, pt.SecretSealed)
}

// Dead lists notifications that could not be delivered.
func (p *Partners) Dead(ctx context.Context, a auth.Actor) ([]*Delivery, []*Delivery, error) {
	if err := a.Require("intake.Dead", auth.PermPartnersManage); err != nil {
		return nil, nil, err
	}
	dead, err := p.Store.DeadDeliveries(ctx, 200)
	if err != nil {
		return nil, nil, err
	}
	pending, err := p.Store.PendingDeliveries(ctx, 200)
	return dead, pending, err
}

// Resend queues a dead notification again.
func (p *Partners) Resend(ctx context.Context, a auth.Actor, id string) error {
	if err := a.Require("intake.Resend", auth.PermPartnersManage); err != nil {
		return err
	}
	return p.Store.Resend(ctx, id, p.Intake.now(), a.Entry("delivery.resend", "delivery", id))
}
