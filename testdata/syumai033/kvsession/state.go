package kvsession

import (
	"encoding/json"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// A request's session as a small state object: Load decodes the record
// into a field, setters mark what changed, and Save writes the record
// back under the key it was read from.

type courseSession struct {
	ID       string    `json:"id"`
	Course   string    `json:"course"`
	LastSeen time.Time `json:"last_seen"`
}

type sessionState struct {
	ns    *kv.Namespace
	id    string
	rec   courseSession
	dirty uint8
}

func courseSessionKey(id string) string { return "sess:" + id }

func (st *sessionState) Load(id string) error {
	raw, err := st.ns.GetString(courseSessionKey(id), nil)
	if err != nil || raw == "<null>" {
		return err
	}
	st.id = id
	return json.Unmarshal([]byte(raw), &st.rec)
}

func (st *sessionState) SetCourse(c string) {
	st.rec.Course = c
	st.dirty |= 1
}

func (st *sessionState) Save() error { // want Save:"^kvsession$"
	if st.dirty == 0 {
		return nil
	}
	st.dirty = 0
	raw, _ := json.Marshal(&st.rec)
	return st.ns.PutString(courseSessionKey(st.id), string(raw), nil) // want `session read, changed and written back in KV`
}

func (st *sessionState) Touch() error { // want Touch:"^kvsession$"
	st.rec.LastSeen = time.Now()
	raw, _ := json.Marshal(st.rec)
	return st.ns.PutString(courseSessionKey(st.id), string(raw), nil) // want `session read, changed and written back in KV`
}

// Create starts a session of its own: nothing read is written back.
func (st *sessionState) Create(id string) error {
	st.id = id
	st.rec = courseSession{ID: id, LastSeen: time.Now()}
	raw, _ := json.Marshal(st.rec)
	return st.ns.PutString(courseSessionKey(id), string(raw), nil)
}

// A preferences object that keeps what it read but writes a record of its
// own under another key.
type prefsState struct {
	ns    *kv.Namespace
	id    string
	prefs map[string]string
}

func (p *prefsState) Load(id string) error {
	raw, err := p.ns.GetString("prefs:"+id, nil)
	if err != nil || raw == "<null>" {
		return err
	}
	p.id = id
	return json.Unmarshal([]byte(raw), &p.prefs)
}

func (p *prefsState) Archive() error {
	raw, _ := json.Marshal(p.prefs)
	return p.ns.PutString("archive:prefs:"+p.id, string(raw), nil)
}
