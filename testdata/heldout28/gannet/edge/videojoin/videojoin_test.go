package videojoin

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"example.com/gannet/internal/domain"
	"example.com/gannet/internal/ttl"
)

type memLinks struct {
	vals map[string][]byte
	ttls map[string]ttl.Seconds
}

func (m *memLinks) PutSeconds(_ context.Context, key string, value []byte, secs ttl.Seconds) error {
	m.vals[key], m.ttls[key] = value, secs
	return nil
}

func (m *memLinks) Load(_ context.Context, key string, into any) (bool, error) {
	b, ok := m.vals[key]
	if !ok {
		return false, nil
	}
	return true, json.Unmarshal(b, into)
}

func (m *memLinks) Put(_ context.Context, key string, value []byte) error {
	m.vals[key] = value
	return nil
}

func (m *memLinks) Text(_ context.Context, key string) (string, error) {
	if b, ok := m.vals[key]; ok {
		return string(b), nil
	}
	return "<null>", nil
}

func TestHostLinkIsSingleUse(t *testing.T) {
	now := time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)
	timeNow = func() time.Time { return now }
	newToken = func() string { return "tok" }
	defer func() { timeNow, newToken = time.Now, randomToken }()

	links := &memLinks{vals: map[string][]byte{}, ttls: map[string]ttl.Seconds{}}
	svc := New(links, links)
	appt := domain.Appointment{ID: "v1", StartsAt: now.Add(-time.Hour), EndsAt: now.Add(-50 * time.Minute)}
	tok, err := svc.IssueHost(context.Background(), appt)
	if err != nil {
		t.Fatal(err)
	}
	if links.ttls["join:tok"] < ttl.Of(ttl.Floor) {
		t.Fatalf("host link ttl %d below floor", links.ttls["join:tok"])
	}
	if _, err := svc.Redeem(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Redeem(context.Background(), tok); err != ErrUsed {
		t.Fatalf("second redeem: %v", err)
	}
}
