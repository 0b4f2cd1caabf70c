package kvrace

import (
	"encoding/json"

	"github.com/syumai/workers/cloudflare/kv"
)

type employerRec struct {
	ID, Name string
}

// The read and the write are each a closure of the handler's own; the
// handler changes what one gives and hands it to the other, so that is
// where the race is.
func renameEmployer(ns *kv.Namespace, email, name string) error {
	load := func(k string) (employerRec, error) {
		var e employerRec
		raw, err := ns.GetString(k, nil)
		if err != nil {
			return e, err
		}
		return e, json.Unmarshal([]byte(raw), &e)
	}
	save := func(k string, e employerRec) error {
		raw, err := json.Marshal(e)
		if err != nil {
			return err
		}
		return ns.PutString(k, string(raw), nil)
	}
	key := "login:" + email
	emp, err := load(key)
	if err != nil {
		return err
	}
	emp.Name = name
	return save(key, emp) // want `read-modify-write on one KV key: this put writes back a value derived from the get on line 33`
}

// A closure that reads and writes back by itself is where it races.
func retitleEmployer(ns *kv.Namespace, email, title string) error {
	update := func(k string) error {
		raw, err := ns.GetString(k, nil)
		if err != nil {
			return err
		}
		var e employerRec
		if err := json.Unmarshal([]byte(raw), &e); err != nil {
			return err
		}
		e.Name = title
		out, _ := json.Marshal(e)
		return ns.PutString(k, string(out), nil) // want `read-modify-write on one KV key`
	}
	return update("login:" + email)
}

// The function reads, and a closure of its own writes back what it read:
// the write is where the race is.
func addChapter(ns *kv.Namespace, key, chapter string) error {
	raw, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	save := func(extra string) error {
		return ns.PutString(key, raw+"\n"+extra, nil) // want `read-modify-write on one KV key`
	}
	return save(chapter)
}
