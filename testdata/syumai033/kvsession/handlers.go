package kvsession

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type visitorSession struct {
	EmployerID string
	LastSeen   time.Time
}

type savedQuery struct {
	Owner, Query string
	Created      time.Time
}

// Quiet: the handler is handed the caller's session only to read whose
// searches it imports; what it writes is searches and a stamp of them.
func importQueries(ns *kv.Namespace, r *http.Request, sess visitorSession) error {
	var in []string
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		return err
	}
	stamp := "saved/" + sess.EmployerID + "-updated"
	for i, q := range in {
		rec := savedQuery{Owner: sess.EmployerID, Query: q, Created: time.Now().Add(time.Duration(i) * time.Second)}
		raw, _ := json.Marshal(rec)
		if err := ns.PutString("saved/"+sess.EmployerID+"/"+q, string(raw), nil); err != nil {
			return err
		}
		if err := ns.PutString(stamp, rec.Created.Format(time.RFC3339), nil); err != nil {
			return err
		}
	}
	return nil
}

func serveQueries(ns *kv.Namespace, r *http.Request, sess visitorSession) error {
	if r.Method == http.MethodPut {
		sess.LastSeen = time.Now()
		return importQueries(ns, r, sess)
	}
	return nil
}
