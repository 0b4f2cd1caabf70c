//go:build js && wasm

package widget

import (
	"errors"
	"net/http"
	"time"

	"github.com/helpdeskco/sanderling/internal/edgekv"
	"github.com/helpdeskco/sanderling/internal/httpx"
	"github.com/helpdeskco/sanderling/internal/keys"
)

const visitorCookie = "hd_v"

// ErrNoSession is returned when a request carries no valid visitor session.
var ErrNoSession = errors.New("widget: no visitor session")

// VisitorSession identifies an anonymous visitor chatting from a site.
type VisitorSession struct {
	ID       string    `json:"id"`
	SiteID   string    `json:"site_id"`
	TicketID string    `json:"ticket_id,omitempty"`
	Email    string    `json:"email,omitempty"`
	Started  time.Time `json:"started"`
}

// Expiry is the lifetime of a visitor session record.
func (v VisitorSession) Expiry() time.Duration { return keys.KindVisitorSession.TTL() }

// VisitorSessions stores visitor sessions.
type VisitorSessions struct {
	edgekv.Store
}

// Start creates a session for a new visitor.
func (vs VisitorSessions) Start(siteID string) (VisitorSession, error) {
	sess := VisitorSession{ID: httpx.NewID(), SiteID: siteID, Started: time.Now().UTC()}
	if err := edgekv.SaveJSON(vs.NS, keys.KindVisitorSession.Key(sess.ID), sess); err != nil { // DEBATABLE kvsession
		return VisitorSession{}, err
	}
	return sess, nil
}

// Find returns the session with id, if it exists.
func (vs VisitorSessions) Find(id string) (VisitorSession, bool, error) {
	var sess VisitorSession
	ok, err := vs.GetJSON(keys.KindVisitorSession.Key(id), &sess)
	return sess, ok, err
}

// AttachTicket records the ticket opened from this session's first message.
func (vs VisitorSessions) AttachTicket(sess VisitorSession, ticketID string) error {
	sess.TicketID = ticketID
	return vs.PutJSON(keys.KindVisitorSession.Key(sess.ID), sess, keys.KindVisitorSession.TTL()) // EXPECT kvsession
}

// visitor returns the request's visitor session for siteID, starting one if
// the request has none.
func (s *Service) visitor(r *http.Request, siteID string) (VisitorSession, error) {
	sess, err := s.current(r)
	if err == nil && sess.SiteID == siteID {
		return sess, nil
	}
	if err != nil && !errors.Is(err, ErrNoSession) {
		return VisitorSession{}, err
	}
	return s.sessions.Start(siteID)
}

// current returns the request's visitor session or ErrNoSession.
func (s *Service) current(r *http.Request) (VisitorSession, error) {
	id := r.Header.Get("X-Visitor-Session")
	if c, err := r.Cookie(visitorCookie); id == "" && err == nil {
		id = c.Value
	}
	if id == "" {
		return VisitorSession{}, ErrNoSession
	}
	sess, ok, err := s.sessions.Find(id)
	if err == nil && !ok {
		err = ErrNoSession
	}
	return sess, err
}
