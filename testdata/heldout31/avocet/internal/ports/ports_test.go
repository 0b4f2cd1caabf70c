package ports_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"example.com/avocet/internal/domain"
	"example.com/avocet/internal/ports"
)

// fakeSessions fills the port with closures over a map.
func fakeSessions() ports.SessionStore {
	var mu sync.Mutex
	m := map[string]domain.Session{}
	return ports.SessionStore{
		Load: func(_ context.Context, id string) (domain.Session, error) {
			mu.Lock()
			defer mu.Unlock()
			s, ok := m[id]
			if !ok {
				return s, domain.ErrNotFound
			}
			return s, nil
		},
		Save: func(_ context.Context, s domain.Session) error {
			mu.Lock()
			defer mu.Unlock()
			m[s.ID] = s
			return nil
		},
		Drop: func(_ context.Context, id string) error {
			mu.Lock()
			defer mu.Unlock()
			delete(m, id)
			return nil
		},
	}
}

func fakeCatalog(keys ...string) ports.Catalog {
	return ports.Catalog{
		Find: func(_ context.Context, q ports.Query) (ports.Page, error) {
			q = q.WithDefaults()
			start := 0
			for i, k := range keys {
				if k == q.After {
					start = i + 1
				}
			}
			end := min(start+q.Limit, len(keys))
			p := ports.Page{Keys: keys[start:end], Done: end == len(keys)}
			if !p.Done {
				p.Next = keys[end-1]
			}
			return p, nil
		},
		Load: func(context.Context, string) ([]byte, error) { return nil, domain.ErrNotFound },
	}
}

func TestSessionFake(t *testing.T) {
	ctx := context.Background()
	s := fakeSessions()
	sess := domain.Session{ID: "a", CreatorID: "c", ExpiresAt: time.Now().Add(time.Hour)}
	if err := s.Save(ctx, sess); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Load(ctx, "a"); err != nil || got.CreatorID != "c" {
		t.Fatalf("%+v %v", got, err)
	}
	s.Drop(ctx, "a")
	if _, err := s.Load(ctx, "a"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatal("session survived Drop")
	}
}

func TestQueryDefaults(t *testing.T) {
	cat := fakeCatalog("k1", "k2", "k3")
	p, _ := cat.Find(context.Background(), ports.Query{Limit: 2})
	if len(p.Keys) != 2 || p.Done || p.Next != "k2" {
		t.Fatalf("%+v", p)
	}
	if q := (ports.Query{}).WithDefaults(); q.Limit != ports.DefaultLimit {
		t.Fatalf("limit %d", q.Limit)
	}
	if _, err := cat.Load(context.Background(), "k1"); !ports.IsNotFound(err) {
		t.Fatal("expected not found")
	}
}
