package campaigns

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/larkspur/internal/domain"
	"example.com/larkspur/internal/keys"
	"example.com/larkspur/internal/kvstore"
)

type fakeKV struct{ m map[string][]byte }

func (f *fakeKV) Get(_ context.Context, key string, _ ...kvstore.Option) ([]byte, error) {
	if v, ok := f.m[key]; ok {
		return v, nil
	}
	return nil, kvstore.ErrNotFound
}

func (f *fakeKV) Put(_ context.Context, key string, value []byte, _ ...kvstore.Option) error {
	f.m[key] = value
	return nil
}

func (f *fakeKV) Delete(_ context.Context, key string) error {
	delete(f.m, key)
	return nil
}

func (f *fakeKV) List(context.Context, string, ...kvstore.Option) (kvstore.Page, error) {
	return kvstore.Page{Complete: true}, nil
}

type nopMailer struct{ batches int }

func (n *nopMailer) SendBatch(context.Context, domain.Draft, []string) error {
	n.batches++
	return nil
}

type unlimited struct{}

func (unlimited) Reserve(context.Context, string, int) error { return nil }
func (unlimited) Record(context.Context, string, int) error  { return nil }

func newService() (*Service, *fakeKV, *nopMailer) {
	kv := &fakeKV{m: map[string][]byte{}}
	ks := keys.New("t")
	m := &nopMailer{}
	return New(kv, ks, NewAudit(kv, kv, ks), m, unlimited{}, 60), kv, m
}

func TestDraftHistory(t *testing.T) {
	svc, _, _ := newService()
	ctx := context.Background()
	for _, subj := range []string{"v1", "v2"} {
		if _, err := svc.SaveDraft(ctx, "c1", "s1", "ann", subj, "<p>hi</p>"); err != nil {
			t.Fatal(err)
		}
	}
	d, err := svc.Draft(ctx, "c1")
	if err != nil || len(d.Revisions) != 2 || d.Subject != "v2" {
		t.Fatalf("draft = %+v, %v", d, err)
	}
}

func TestScheduleRejectsPastAndReleasesLock(t *testing.T) {
	svc, kv, _ := newService()
	ctx := context.Background()
	if err := svc.Schedule(ctx, domain.Schedule{CampaignID: "c1", SendAt: time.Now().Add(-time.Minute)}); !errors.Is(err, ErrInPast) {
		t.Fatalf("want ErrInPast, got %v", err)
	}
	if err := svc.Schedule(ctx, domain.Schedule{CampaignID: "c1", SendAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, ok := kv.m[keys.New("t").Lock("schedule:c1")]; ok {
		t.Fatal("lock was not released")
	}
}

func TestSendBatches(t *testing.T) {
	svc, _, m := newService()
	ctx := context.Background()
	if _, err := svc.SaveDraft(ctx, "c2", "s1", "ann", "hello", "<p>hi</p>"); err != nil {
		t.Fatal(err)
	}
	rcpts := make([]string, 1200)
	if err := svc.Send(ctx, "c2", rcpts); err != nil {
		t.Fatal(err)
	}
	if m.batches != 3 {
		t.Fatalf("batches = %d", m.batches)
	}
}
