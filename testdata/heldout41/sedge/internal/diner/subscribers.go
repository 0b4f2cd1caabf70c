//go:build js && wasm

package diner

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/syumai/workers/cloudflare"

	"sedge/internal/bus"
	"sedge/internal/config"
	"sedge/internal/edgekv"
	"sedge/internal/events"
)

// sessionRecorder creates and ends sessions in response to login events.
type sessionRecorder struct {
	events.Ignore
	sessions edgekv.Store
}

func (r sessionRecorder) VisitLogin(_ context.Context, e events.LoginSucceeded) error {
	sess := Session{DinerID: e.DinerID, Method: e.Method, UserAgent: e.UserAgent, Created: e.At, LastSeen: e.At}
	body, err := json.Marshal(sess)
	if err != nil {
		return err
	}
	return r.sessions.PutKind(e.SessionID, string(body), config.KindSession)
}

func (r sessionRecorder) VisitLogout(_ context.Context, e *events.LoggedOut) error {
	return r.sessions.Delete(e.SessionID) // EXPECT kvsession
}

// prefsRecorder keeps each diner's dietary preferences.
type prefsRecorder struct {
	events.Ignore
	prefs edgekv.Store
}

type dinerPrefs struct {
	Tags    []string  `json:"tags"`
	Updated time.Time `json:"updated"`
}

func (p *prefsRecorder) VisitPrefs(_ context.Context, e events.PrefsChanged) error {
	st, key := p.prefs, e.DinerID
	cloudflare.WaitUntil(func() {
		var cur dinerPrefs
		if o, err := st.Lookup(key); err == nil {
			if raw, ok := o.Get(); ok {
				_ = json.Unmarshal([]byte(raw), &cur)
			}
		}
		for _, t := range e.Add {
			if !slices.Contains(cur.Tags, t) {
				cur.Tags = append(cur.Tags, t)
			}
		}
		cur.Updated = time.Now()
		_ = st.PutJSON(key, cur, 0) // EXPECT kvrace
	})
	return nil
}

// Subscribe registers the diner subscribers on b.
func (s *Service) Subscribe(b *bus.Bus, root edgekv.Store) {
	rec := sessionRecorder{sessions: s.sessions}
	b.Subscribe(events.TopicLogin, events.Dispatch(rec))
	b.Subscribe(events.TopicLogout, events.Dispatch(rec))
	b.Subscribe(events.TopicPrefs, events.Dispatch(&prefsRecorder{prefs: root.Scope("prefs")}))
}
