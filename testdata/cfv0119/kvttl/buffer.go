package kvttl

import (
	"context"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// A write-behind buffer: one method appends pairs to a field, another
// flushes the field in bulk writes later.
type suppressions struct {
	api     *cloudflare.API
	rc      *cloudflare.ResourceContainer
	mu      sync.Mutex
	pending []*cloudflare.WorkersKVPair
}

func (s *suppressions) add(email string, ttlSeconds int) {
	pair := &cloudflare.WorkersKVPair{Key: "suppressed/" + email, Value: "1", ExpirationTTL: ttlSeconds}
	s.mu.Lock()
	s.pending = append(s.pending, pair)
	s.mu.Unlock()
}

func (s *suppressions) addForMonth(email string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = append(s.pending, &cloudflare.WorkersKVPair{Key: "suppressed/" + email, Value: "1", ExpirationTTL: int(30 * 24 * time.Hour / time.Second)})
}

func (s *suppressions) record(email string, hard bool) {
	if hard {
		s.add(email, 7*24*3600)
		return
	}
	s.add(email, 45) // want `ExpirationTTL 45 \(passed to suppressions.add\) is below KV's 60-second minimum`
	s.addForMonth(email)
}

func (s *suppressions) flush(ctx context.Context) error {
	s.mu.Lock()
	queued := s.pending
	s.pending = nil
	s.mu.Unlock()
	for len(queued) > 0 {
		n := min(len(queued), 1000)
		if _, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: "ns", KVs: queued[:n]}); err != nil {
			return err
		}
		queued = queued[n:]
	}
	return nil
}
