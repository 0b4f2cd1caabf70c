package polls

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/bellwether/internal/kvstore/memkv"
)

func samplePoll(slug string) Poll {
	return Poll{Slug: slug, Question: "Should the bridge reopen?", Choices: []Choice{{Label: "Yes"}, {Label: "No"}}}
}

func TestCreateRejectsDuplicateSlug(t *testing.T) {
	ctx := context.Background()
	svc := NewService(NewRepo(memkv.New()), WithClock(func() time.Time { return time.Unix(1_700_000_000, 0) }))
	p, err := svc.Create(ctx, samplePoll("bridge-vote"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Choices[0].ID != "c1" || p.Status != StatusDraft {
		t.Fatalf("unexpected poll %+v", p)
	}
	if _, err := svc.Create(ctx, samplePoll("bridge-vote")); !errors.Is(err, ErrSlugTaken) {
		t.Fatalf("err = %v, want ErrSlugTaken", err)
	}
}

func TestValidate(t *testing.T) {
	if err := samplePoll("Bad Slug").Validate(); !errors.Is(err, ErrBadSlug) {
		t.Fatalf("err = %v", err)
	}
}
