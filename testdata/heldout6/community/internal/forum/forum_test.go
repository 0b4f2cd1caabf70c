package forum

import (
	"context"
	"sync"
	"testing"

	"example.com/community/internal/store/memstore"
)

type memReplies struct {
	mu   sync.Mutex
	rows []Reply
}

func (m *memReplies) Insert(_ context.Context, r Reply) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rows = append(m.rows, r)
	return nil
}

func (m *memReplies) ListByThread(_ context.Context, tid string, limit int) ([]Reply, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Reply
	for _, r := range m.rows {
		if r.ThreadID == tid && len(out) < limit {
			out = append(out, r)
		}
	}
	return out, nil
}

type views map[string]int64

func (v views) Incr(_ context.Context, tid string) (int64, error) { v[tid]++; return v[tid], nil }

type notes struct{ to []string }

func (n *notes) Notify(_ context.Context, uid, _, _, _ string) error {
	n.to = append(n.to, uid)
	return nil
}

func newService() (*Service, *notes) {
	kv := memstore.New()
	n := &notes{}
	return NewService(kv, Deps{Load: kv.Get, Save: kv.Put}, &memReplies{}, views{}, n), n
}

func TestReplyFlow(t *testing.T) {
	ctx := context.Background()
	svc, n := newService()
	th, err := svc.CreateThread(ctx, "alice", "hello-world", "Hello world", "first!")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Subscribe(ctx, th.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	if err := svc.Subscribe(ctx, th.ID, "carol"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := svc.Reply(ctx, th.ID, "bob", "hi"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.React(ctx, th.ID, "heart"); err != nil {
		t.Fatal(err)
	}
	p, err := svc.Page(ctx, th.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Count != 2 || len(p.Replies) != 2 || p.Reactions["heart"] != 1 || p.Views != 1 {
		t.Fatalf("page = %+v", p)
	}
	if len(n.to) != 4 {
		t.Fatalf("notified %v", n.to)
	}
	act, err := svc.RecentActivity(ctx, 10)
	if err != nil || len(act) != 1 || act[0].ThreadID != th.ID {
		t.Fatalf("activity = %v, %v", act, err)
	}
}
