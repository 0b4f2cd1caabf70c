// Package audit records organiser actions: every mutating request made
// with an organiser session is appended to that organiser's audit trail.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"example.com/boxoffice/internal/httpx"
	"example.com/boxoffice/internal/kvkey"
	"example.com/boxoffice/internal/kvops"
)

// maxTrail is the size at which the oldest lines are dropped.
const maxTrail = 64 << 10

// Recorder writes audit lines through a kvops table.
type Recorder struct {
	ops kvops.Ops
	log *slog.Logger
	now func() time.Time
}

// New returns a Recorder.
func New(ops kvops.Ops, log *slog.Logger) *Recorder {
	return &Recorder{ops: ops, log: log, now: time.Now}
}

// Line is one audit record.
type Line struct {
	At     time.Time `json:"at"`
	Org    string    `json:"org"`
	Method string    `json:"method"`
	Path   string    `json:"path"`
	Status string    `json:"status"`
}

// Middleware records the outcome of every non-GET request.
func (a *Recorder) Middleware() httpx.Middleware {
	return func(next httpx.Handler) httpx.Handler {
		return func(w http.ResponseWriter, r *http.Request) error {
			err := next(w, r)
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				return err
			}
			org, ok := httpx.Account(r.Context())
			if !ok {
				return err
			}
			status := "ok"
			if err != nil {
				status = "error"
			}
			l := Line{At: a.now().UTC(), Org: org, Method: r.Method, Path: r.URL.Path, Status: status}
			if aerr := a.record(r.Context(), l); aerr != nil {
				a.log.Warn("audit write failed", "org", org, "err", aerr)
			}
			return err
		}
	}
}

func (a *Recorder) record(ctx context.Context, l Line) error {
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	line := string(b)
	key := kvkey.AuditLog(l.Org).String()
	old, err := a.ops.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("audit: read trail: %w", err)
	}
	if old == kvops.Missing {
		old = ""
	}
	trail := trim(old+line+"\n", maxTrail)
	if err := a.ops.Put(ctx, key, trail, 0); err != nil { // EXPECT kvrace
		return err
	}
	return a.ops.Put(ctx, kvkey.Audit.Child("latest").String(), line, 0) // EXPECT kvhotkey
}

// trim keeps the newest whole lines of s within limit bytes.
func trim(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	s = s[len(s)-limit:]
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
