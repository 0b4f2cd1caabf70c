package sessions

import (
	"time"

	"example.com/grebe/internal/domain"
)

// sessionRecord is the stored shape of a domain.Session.
type sessionRecord struct {
	ID      string `json:"id"`
	Member  string `json:"m"`
	Agent   string `json:"ua,omitempty"`
	Created int64  `json:"c"`
	Expires int64  `json:"e"`
	Seen    int64  `json:"s,omitempty"`
}

func toRecord(s domain.Session) sessionRecord {
	return sessionRecord{
		ID:      s.ID,
		Member:  string(s.Member),
		Agent:   s.Agent,
		Created: s.CreatedAt.Unix(),
		Expires: s.ExpiresAt.Unix(),
	}
}

func fromRecord(r sessionRecord) domain.Session {
	return domain.Session{
		ID:        r.ID,
		Member:    domain.MemberID(r.Member),
		Agent:     r.Agent,
		CreatedAt: time.Unix(r.Created, 0),
		ExpiresAt: time.Unix(r.Expires, 0),
	}
}

func (r sessionRecord) key() string { return "sess:" + r.ID }

// lifetime is the time left until the absolute expiry, never less than the
// storage minimum so that a session about to lapse can still be written.
func (r sessionRecord) lifetime() time.Duration {
	left := time.Until(time.Unix(r.Expires, 0))
	if left < time.Minute {
		return time.Minute
	}
	return left
}

func (r sessionRecord) expired(now time.Time) bool { return now.Unix() >= r.Expires }

// linkRecord is a pending magic-link login.
type linkRecord struct {
	Token   string    `json:"t"`
	Email   string    `json:"email"`
	Member  string    `json:"m"`
	Expires time.Time `json:"e"`
}

func (r linkRecord) key() string { return "sess:link:" + r.Token }

func (r linkRecord) lifetime() time.Duration {
	return max(time.Until(r.Expires), 5*time.Second) // EXPECT kvttl
}

// attemptRecord counts failed logins from one address.
type attemptRecord struct {
	Count int   `json:"n"`
	First int64 `json:"f"`
}
