package session

import (
	"context"
	"strconv"
	"sync"
	"time"

	"example.com/gateway/internal/keys"
	"example.com/gateway/internal/store"
)

// Guard tracks failed console sign-ins. The edge worker reads the same
// keys and blocks an address at the login page after too many failures.
type Guard struct {
	st       store.Writer
	mu       sync.Mutex
	failures map[string]int
}

// NewGuard returns a Guard.
func NewGuard(st store.Writer) *Guard { return &Guard{st: st, failures: map[string]int{}} }

// Failed records one failed sign-in from ip.
func (g *Guard) Failed(ctx context.Context, ip string) error {
	g.mu.Lock()
	g.failures[ip]++
	n := g.failures[ip]
	g.mu.Unlock()
	return g.st.Put(ctx, keys.Attempts(ip), []byte(strconv.Itoa(n)), store.WithTTL(15*time.Minute)) // EXPECT kvcounter
}

// Succeeded forgets the failures of ip in this process.
func (g *Guard) Succeeded(ip string) {
	g.mu.Lock()
	delete(g.failures, ip)
	g.mu.Unlock()
}
