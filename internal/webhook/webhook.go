// Package webhook sends intake's outbox to partner platforms: each
// notification signed with HMAC-SHA256 over the timestamp and body,
// retried with exponential backoff across restarts (the outbox lives in
// the database), and set aside as dead after too many failures.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/intake"
)

// Store is what the worker needs.
type Store interface {
	ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*intake.Delivery, error)
	MarkDelivered(ctx context.Context, id string, at time.Time, attempts int) error
	MarkFailed(ctx context.Context, id string, attempts int, next time.Time, lastErr string, dead bool, at time.Time) error
	PartnerByCode(ctx context.Context, code intake.Channel) (*intake.Partner, error)
}

// Worker delivers notifications.
type Worker struct {
	Store       Store
	Secret      func(p *intake.Partner) (string, error)
	Client      *http.Client
	Now         func() time.Time
	Log         *slog.Logger
	MaxAttempts int           // default 12 (about 17 hours of retries)
	BaseDelay   time.Duration // default 15 s
	MaxDelay    time.Duration // default 4 h
	Interval    time.Duration // how often to look for due work; default 2 s
}

// Headers of a delivery.
const (
	HeaderTimestamp = "X-Haven-Timestamp"
	HeaderSignature = "X-Haven-Signature"
	HeaderDelivery  = "X-Haven-Delivery"
	HeaderEvent     = "X-Haven-Event"
)

// Sign returns the signature header value for a body sent at ts (Unix
// seconds): "v1=" and the hex HMAC-SHA256 of "<ts>.<body>".
func Sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "%d.", ts)
	m.Write(body)
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a signature as a partner would: right secret, and a
// timestamp within tolerance of now (against replays).
func Verify(secret, tsHeader, sigHeader string, body []byte, now time.Time, tolerance time.Duration) error {
	ts, err := strconv.ParseInt(tsHeader, 10, 64)
	if err != nil {
		return fmt.Errorf("bad timestamp")
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("timestamp outside tolerance")
	}
	want := Sign(secret, ts, body)
	if !hmac.Equal([]byte(want), []byte(strings.TrimSpace(sigHeader))) {
		return fmt.Errorf("signature mismatch")
	}
	return nil
}

func (w *Worker) defaults() {
	if w.MaxAttempts == 0 {
		w.MaxAttempts = 12
	}
	if w.BaseDelay == 0 {
		w.BaseDelay = 15 * time.Second
	}
	if w.MaxDelay == 0 {
		w.MaxDelay = 4 * time.Hour
	}
	if w.Interval == 0 {
		w.Interval = 2 * time.Second
	}
	if w.Client == nil {
		w.Client = &http.Client{Timeout: 15 * time.Second}
	}
}

// Backoff is the wait after the n-th failed attempt.
func (w *Worker) Backoff(n int) time.Duration {
	w.defaults()
	d := w.BaseDelay
	for i := 1; i < n && d < w.MaxDelay; i++ {
		d *= 2
	}
	return min(d, w.MaxDelay)
}

// Run delivers until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	w.defaults()
	t := time.NewTicker(w.Interval)
	defer t.Stop()
	for {
		if _, err := w.RunOnce(ctx); err != nil && ctx.Err() == nil {
			w.Log.Warn("webhook round", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce sends what is due now and returns how many were delivered.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	w.defaults()
	now := w.Now()
	due, err := w.Store.ClaimDeliveries(ctx, now, 2*time.Minute, 50)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, d := range due {
		attempts := d.Attempts + 1
		err := w.send(ctx, d)
		at := w.Now()
		if err == nil {
			if err := w.Store.MarkDelivered(ctx, d.ID, at, attempts); err != nil {
				return sent, err
			}
			sent++
			continue
		}
		dead := attempts >= w.MaxAttempts || err == ErrNoURL
		if err := w.Store.MarkFailed(ctx, d.ID, attempts, at.Add(w.Backoff(attempts)), truncate(err.Error(), 300), dead, at); err != nil {
			return sent, err
		}
		lvl := slog.LevelInfo
		if err == ErrNoURL {
			lvl = slog.LevelDebug // a partner that polls instead: not news
		}
		w.Log.Log(ctx, lvl, "webhook failed", "delivery", d.ID, "partner", d.Partner, "attempt", attempts, "dead", dead, "err", err)
	}
	return sent, nil
}

// AnsweredPrefix starts the last error of a delivery the partner refused
// ("partner answered 503 Service Unavailable").
const AnsweredPrefix = "partner answered "

// ErrNoURL is the last error of a delivery to a partner without a webhook URL.
var ErrNoURL = fmt.Errorf("no webhook URL is configured for this partner")

func (w *Worker) send(ctx context.Context, d *intake.Delivery) error {
	p, err := w.Store.PartnerByCode(ctx, d.Partner)
	if err != nil {
		return err
	}
	if p.WebhookURL == "" {
		return ErrNoURL
	}
	secret, err := w.Secret(p)
	if err != nil {
		return fmt.Errorf("signing secret: %v", err)
	}
	ts := w.Now().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.WebhookURL, bytes.NewReader(d.Body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "Haven-Webhook/1")
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(secret, ts, d.Body))
	req.Header.Set(HeaderDelivery, d.ID)
	req.Header.Set(HeaderEvent, d.Event)
	res, err := w.Client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("%s%s", AnsweredPrefix, res.Status)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
