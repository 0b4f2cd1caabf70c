package session

import "time"

// Storage records. Domain types never touch storage directly: toRecord and
// fromRecord convert, and each record knows its own key and lifetime.

type sessionRecord struct {
	ID      string `json:"id"`
	Learner string `json:"lid"`
	Device  string `json:"dev,omitempty"`
	Created int64  `json:"c"`
	Expires int64  `json:"e"`
}

func (r sessionRecord) key() string { return "sess:" + r.ID }

// lifetime is the time left until the session's absolute expiry, never less
// than a minute so a nearly expired session can still be written.
func (r sessionRecord) lifetime() time.Duration {
	return max(time.Until(time.Unix(r.Expires, 0)), time.Minute)
}

func toRecord(s Session) sessionRecord {
	return sessionRecord{ID: s.ID, Learner: s.LearnerID, Device: s.Device,
		Created: s.CreatedAt.Unix(), Expires: s.ExpiresAt.Unix()}
}

func fromRecord(r sessionRecord) Session {
	return Session{ID: r.ID, LearnerID: r.Learner, Device: r.Device,
		CreatedAt: time.Unix(r.Created, 0), ExpiresAt: time.Unix(r.Expires, 0)}
}

type magicLinkRecord struct {
	Token   string `json:"t"`
	Learner string `json:"lid"`
	Expires int64  `json:"e"`
}

func (r magicLinkRecord) key() string { return "login-token:" + r.Token }

func (r magicLinkRecord) lifetime() time.Duration {
	return max(time.Until(time.Unix(r.Expires, 0)), time.Minute)
}

// revocationRecord marks every session of a learner created before At as
// ended.
type revocationRecord struct {
	Learner string `json:"lid"`
	At      int64  `json:"at"`
}

func (r revocationRecord) key() string { return "sess-revoked:" + r.Learner }
