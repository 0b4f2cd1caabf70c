package sessions

import (
	"context"
	"testing"
	"time"

	"example.com/juniper/internal/config"
	"example.com/juniper/internal/store"
)

// countingRaw is a Raw fake that counts deletes on top of Memory.
type countingRaw struct {
	*store.Memory
	deletes int
}

func (c *countingRaw) Delete(ctx context.Context, key string) error {
	c.deletes++
	return c.Memory.Delete(ctx, key)
}

func TestCreateLoadLogout(t *testing.T) {
	raw := &countingRaw{Memory: store.NewMemory()}
	Init(raw, config.SessionCache{TTL: time.Hour})
	ctx := context.Background()
	s, err := Create(ctx, "org", "user", []string{"organizer"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Load(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	if err := Logout(ctx, s.ID); err != nil || raw.deletes != 1 {
		t.Fatalf("logout: %v deletes=%d", err, raw.deletes)
	}
	if _, err := Load(ctx, s.ID); err != ErrNoSession {
		t.Fatalf("want ErrNoSession, got %v", err)
	}
}
