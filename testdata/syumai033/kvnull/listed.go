package kvnull

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/syumai/workers/cloudflare/kv"
)

type schedule struct{ Paused bool }

// A manifest read before a walk of other keys: the walk after it says
// nothing of whether the manifest is there.
func runSchedule(ns *kv.Namespace, tenant string) error {
	r, err := ns.GetReader(tenant+":manifest", nil) // want `GetReader returns a reader over the JS null, not an error, and reading it panics`
	if err != nil {
		return err
	}
	var s schedule
	if err := json.NewDecoder(r).Decode(&s); err != nil {
		return err
	}
	if s.Paused {
		return nil
	}
	_, err = ns.List(&kv.ListOptions{Prefix: tenant + ":job:"})
	return err
}

// Quiet: the key read is one the listing just returned.
func firstListed(ns *kv.Namespace, w http.ResponseWriter, tenant string) error {
	res, err := ns.List(&kv.ListOptions{Prefix: tenant + ":job:"})
	if err != nil || len(res.Keys) == 0 {
		return err
	}
	r, err := ns.GetReader(res.Keys[0].Name, nil)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, r)
	return err
}
