package kvrace

import (
	"encoding/json"

	"github.com/syumai/workers/cloudflare/kv"
)

type preferences struct {
	ID    string   `json:"id"`
	Muted []string `json:"muted"`
}

// editor loads a user's preferences in one method and saves them, changed,
// in another: a read-modify-write split across the two.
type editor struct {
	ns    *kv.Namespace
	prefs *preferences
}

func (e *editor) open(user string) error {
	raw, err := e.ns.GetString("prefs:"+user, nil)
	if err != nil {
		return err
	}
	var p preferences
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return err
	}
	e.prefs = &p
	return nil
}

func (e *editor) mute(topic string) { e.prefs.Muted = append(e.prefs.Muted, topic) }

func (e *editor) close() error {
	b, err := json.Marshal(e.prefs)
	if err != nil {
		return err
	}
	return e.ns.PutString("prefs:"+e.prefs.ID, string(b), nil) // want `read-modify-write on one KV key`
}

// Quiet: the record kept is another key's (a template copied to a user).
type copier struct {
	ns       *kv.Namespace
	template *preferences
}

func (c *copier) open() error {
	raw, err := c.ns.GetString("prefs-template", nil)
	if err != nil {
		return err
	}
	var p preferences
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return err
	}
	c.template = &p
	return nil
}

func (c *copier) apply(user string) error {
	b, err := json.Marshal(c.template)
	if err != nil {
		return err
	}
	return c.ns.PutString("prefs:"+user, string(b), nil)
}
