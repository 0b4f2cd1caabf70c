package kvrace

import (
	"crypto/rand"
	"encoding/json"
	"net/http"

	"github.com/syumai/workers/cloudflare/kv"
)

type thread struct {
	ID    string   `json:"id"`
	Owner string   `json:"owner"`
	Notes []string `json:"notes"`
}

type noteRequest struct {
	Thread string `json:"thread"`
	Text   string `json:"text"`
}

// A handler that continues the thread the request names, read by its id
// from a body decoded with json.NewDecoder, or starts one: the thread
// read is written back under the id it was given.
func addNote(ns *kv.Namespace, w http.ResponseWriter, r *http.Request) {
	var req noteRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if err := continueThread(ns, req.Thread, req.Text); err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
	}
}

func continueThread(ns *kv.Namespace, id, text string) error {
	t := thread{ID: id}
	if id == "" {
		t.ID = rand.Text()
	} else {
		raw, err := ns.GetString("thread:"+id, nil)
		if err != nil {
			return err
		}
		if raw != "<null>" {
			if err := json.Unmarshal([]byte(raw), &t); err != nil {
				return err
			}
		}
	}
	t.Notes = append(t.Notes, text)
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return ns.PutString("thread:"+t.ID, string(b), nil) // want `read-modify-write on one KV key`
}

// A copy of the thread read, given an id drawn after the read: a fork
// saved as its own record.
func forkThread(ns *kv.Namespace, id string) (string, error) {
	raw, err := ns.GetString("thread:"+id, nil)
	if err != nil || raw == "<null>" {
		return "", err
	}
	var t thread
	if err := json.Unmarshal([]byte(raw), &t); err != nil {
		return "", err
	}
	t.ID = rand.Text()
	t.Notes = append(t.Notes, "forked from "+id)
	b, err := json.Marshal(t)
	if err != nil {
		return "", err
	}
	return t.ID, ns.PutString("thread:"+t.ID, string(b), nil)
}
