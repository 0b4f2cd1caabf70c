package kvcounter

import (
	"encoding/json"
	"errors"

	"github.com/syumai/workers/cloudflare/kv"
)

type dayPass struct {
	ID       string `json:"id"`
	UsesLeft int    `json:"uses_left"`
	Note     string `json:"note"`
}

func loadPass(ns *kv.Namespace, id string) (*dayPass, error) {
	v, err := ns.GetString("pass:"+id, nil)
	if err != nil {
		return nil, err
	}
	if v == "<null>" {
		return nil, errors.New("no such pass")
	}
	p := new(dayPass)
	return p, json.Unmarshal([]byte(v), p)
}

func savePass(ns *kv.Namespace, p *dayPass) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return ns.PutString("pass:"+p.ID, string(b), nil)
}

// One use of the pass taken in place on the record read, and the record
// saved: two redemptions at once both see the same count.
func redeem(ns *kv.Namespace, id string) error {
	p, err := loadPass(ns, id)
	if err != nil {
		return err
	}
	if p.UsesLeft <= 0 {
		return errors.New("exhausted")
	}
	p.UsesLeft--
	return savePass(ns, p) // want `counter kept in KV`
}

// Quiet here: the record's note is this request's, so the record is
// updated in place (kvrace's finding).
func annotate(ns *kv.Namespace, id, note string) error {
	p, err := loadPass(ns, id)
	if err != nil {
		return err
	}
	p.UsesLeft--
	p.Note = note
	return savePass(ns, p)
}

// Quiet here (kvrace's race): a wizard's draft moved on one step.
type signupDraft struct {
	Step  int
	Email string
}

func advanceSignup(ns *kv.Namespace, user, email string) error {
	raw, err := ns.GetString("signup-draft:"+user, nil)
	if err != nil {
		return err
	}
	var d signupDraft
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		return err
	}
	d.Step++
	b, _ := json.Marshal(d)
	return ns.PutString("signup-draft:"+user, string(b), nil)
}
