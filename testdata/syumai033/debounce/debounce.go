// Package debounce writes an index a few seconds after the last change,
// however many changes come before: one write per burst.
package debounce

import (
	"strings"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type Publisher struct {
	ns    *kv.Namespace
	mu    sync.Mutex
	ids   []string
	timer *time.Timer
}

func New(ns *kv.Namespace) *Publisher { return &Publisher{ns: ns} }

// Announce records id and writes the index 5 s after the last call.
func (p *Publisher) Announce(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ids = append(p.ids, id)
	if p.timer != nil {
		p.timer.Stop()
	}
	p.timer = time.AfterFunc(5*time.Second, func() {
		p.mu.Lock()
		index := strings.Join(p.ids, ",")
		p.mu.Unlock()
		_ = p.ns.PutString("zones:index", index, nil)
	})
}
