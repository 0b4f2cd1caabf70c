package kvcounter

import (
	"net/http"
	"strconv"
	"sync"

	"github.com/syumai/workers/cloudflare/kv"
)

// statusViews counts status-page views per prescription in a sync.Map of
// pointers, each bumped in place by the handler.
type statusViews struct {
	views sync.Map // id -> *int64
	mu    sync.Mutex
	ns    *kv.Namespace
}

func (s *statusViews) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	v, _ := s.views.LoadOrStore(id, new(int64))
	s.mu.Lock()
	*v.(*int64)++
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// flush publishes each isolate's own counts: the last isolate to flush wins.
func (s *statusViews) flush() error {
	var err error
	s.views.Range(func(k, v any) bool {
		s.mu.Lock()
		n := *v.(*int64)
		s.mu.Unlock()
		err = s.ns.PutString("views:rx-status:"+k.(string), strconv.FormatInt(n, 10), nil) // want `counter kept in KV: the key names a count`
		return err == nil
	})
	return err
}

// planLimits holds each plan's limit, set from configuration, never added to.
type planLimits struct {
	limits sync.Map // plan -> *int64
	ns     *kv.Namespace
}

func (p *planLimits) set(plan string, n int64) {
	v, _ := p.limits.LoadOrStore(plan, new(int64))
	*v.(*int64) = n
}

// Quiet: a limit kept in a sync.Map that nothing adds to.
func (p *planLimits) publish() error {
	var err error
	p.limits.Range(func(k, v any) bool {
		err = p.ns.PutString("limits:"+k.(string), strconv.FormatInt(*v.(*int64), 10), nil)
		return err == nil
	})
	return err
}
