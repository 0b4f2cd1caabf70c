// Package records defines the records the service stores in KV. Each
// concrete type lives under its own key and has its own encoding.
package records

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/redpoll-jobs/redpoll/internal/codec"
	"github.com/redpoll-jobs/redpoll/internal/keys"
)

// Record is implemented by every stored record type.
type Record interface {
	record()
}

// Posting is a job advertisement.
type Posting struct {
	ID         string
	EmployerID string
	Title      string
	City       string
	Category   string
	Published  time.Time
	ExpiresAt  time.Time
	Closed     bool
}

// Employer is a company account.
type Employer struct {
	ID           string `json:"id"`
	Email        string `json:"email"`
	Name         string `json:"name"`
	Slug         string `json:"slug"`
	Plan         string `json:"plan"`
	PasswordHash string `json:"password_hash"`
}

// SavedSearch is one query a job seeker asked to be alerted about.
type SavedSearch struct {
	UserID  string    `json:"user_id"`
	Query   string    `json:"query"`
	Created time.Time `json:"created"`
}

// Quota is an employer's usage for one calendar month.
type Quota struct {
	EmployerID string
	Month      string
	Usage      codec.Usage
}

func (Posting) record()     {}
func (Employer) record()    {}
func (SavedSearch) record() {}
func (Quota) record()       {}

// Key returns the KV key a record is stored under.
func Key(r Record) string {
	switch v := r.(type) {
	case Posting:
		return keys.Posting(v.ID)
	case *Posting:
		return keys.Posting(v.ID)
	case Employer:
		return keys.Login(v.Email)
	case SavedSearch:
		return keys.SavedSearches(v.UserID) + "/" + v.Created.UTC().Format("20060102T150405")
	case Quota:
		return keys.Quota(v.EmployerID, v.Month)
	default:
		panic(fmt.Sprintf("records: no key for %T", r))
	}
}

// Encode serializes a record in the format its type is stored in.
func Encode(r Record) ([]byte, error) {
	switch v := r.(type) {
	case Posting:
		return codec.Gob(v)
	case *Posting:
		return codec.Gob(*v)
	case Employer, SavedSearch:
		return json.Marshal(v)
	case Quota:
		return codec.MarshalUsage(v.Usage), nil
	default:
		return nil, fmt.Errorf("records: cannot encode %T", r)
	}
}

// DecodePosting reads a gob-encoded posting.
func DecodePosting(b []byte) (Posting, error) {
	var p Posting
	err := codec.Ungob(b, &p)
	return p, err
}
