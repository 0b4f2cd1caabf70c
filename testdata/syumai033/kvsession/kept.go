package kvsession

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type visit struct {
	ID      string    `json:"id"`
	User    string    `json:"user"`
	Expires time.Time `json:"expires"`
}

// visitor carries one request: load reads the session into a field,
// slide changes it, and save writes it back in another method.
type visitor struct {
	ns      *kv.Namespace
	r       *http.Request
	session *visit
}

func (v *visitor) load() error {
	c, err := v.r.Cookie("sid")
	if err != nil {
		return err
	}
	raw, err := v.ns.GetString("session:"+c.Value, nil)
	if err != nil {
		return err
	}
	var s visit
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return err
	}
	v.session = &s
	return nil
}

func (v *visitor) slide(now time.Time) { v.session.Expires = now.Add(24 * time.Hour) }

func (v *visitor) save() error { // want save:"kvsession"
	b, err := json.Marshal(v.session)
	if err != nil {
		return err
	}
	return v.ns.PutString("session:"+v.session.ID, string(b), nil) // want `A session read, changed and written back in KV`
}

// Quiet: a session made here and written once, by another method.
type enrolment struct {
	ns      *kv.Namespace
	session *visit
}

func (s *enrolment) start(user, id string) {
	s.session = &visit{ID: id, User: user, Expires: time.Now().Add(24 * time.Hour)}
}

func (s *enrolment) save() error {
	b, err := json.Marshal(s.session)
	if err != nil {
		return err
	}
	return s.ns.PutString("session:"+s.session.ID, string(b), nil)
}
