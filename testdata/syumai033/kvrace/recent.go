package kvrace

import (
	"net/http"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"
)

// A request that carries the caller's session: the list of recent
// lessons is per learner, keyed by the learner the session names, but it
// is a list read, changed and written back, not the session.

type WebSession struct{ learner string }

func (s *WebSession) Learner() string { return s.learner }

type lessonRequest struct {
	*WebSession
	ns *kv.Namespace
	r  *http.Request
}

func startLesson(q *lessonRequest) error {
	key := "recent:" + q.Learner()
	lesson := q.r.FormValue("lesson")
	prev, err := q.ns.GetString(key, nil)
	if err != nil {
		return err
	}
	list := lesson
	if prev != "<null>" {
		list = lesson + "," + strings.Join(strings.Split(prev, ",")[:1], ",")
	}
	return q.ns.PutString(key, list, nil) // want `read-modify-write on one KV key`
}
