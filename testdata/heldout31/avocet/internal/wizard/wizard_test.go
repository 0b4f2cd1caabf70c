package wizard

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"example.com/avocet/internal/domain"
	"example.com/avocet/internal/ports"
)

func fakeDrafts(m map[string][]byte) ports.DraftStore {
	return ports.DraftStore{
		Load: func(_ context.Context, c string) ([]byte, bool, error) {
			b, ok := m[c]
			return b, ok, nil
		},
		Save:  func(_ context.Context, c string, doc []byte) error { m[c] = doc; return nil },
		Clear: func(_ context.Context, c string) error { delete(m, c); return nil },
	}
}

func TestWizardHappyPath(t *testing.T) {
	ctx := context.Background()
	drafts := map[string][]byte{}
	var published []domain.Episode
	svc := &Service{
		Drafts: fakeDrafts(drafts),
		Now:    func() time.Time { return time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC) },
		Publish: func(_ context.Context, _ string, ep domain.Episode, _ []string) error {
			published = append(published, ep)
			return nil
		},
	}
	if err := svc.Start(ctx, StartCommand{Creator: "c1", ShowID: "s1"}); err != nil {
		t.Fatal(err)
	}
	steps := []StepCommand{
		{Step: StepAudio, Fields: map[string]string{"audio_url": "https://cdn.example/ep.mp3", "length_sec": "1800"}},
		{Step: StepDetails, Fields: map[string]string{"title": "Pilot"}},
		{Step: StepSponsors, Fields: map[string]string{"slots": "s1:2025-W14:pre"}},
		{Step: StepReview, Fields: map[string]string{"confirm": "yes"}},
	}
	for _, st := range steps {
		st.Creator = "c1"
		if err := svc.Advance(ctx, st); err != nil {
			t.Fatalf("step %s: %v", st.Step, err)
		}
	}
	if len(published) != 1 || published[0].Title != "Pilot" || published[0].Length != 30*time.Minute {
		t.Fatalf("published %+v", published)
	}
	if _, ok := drafts["c1"]; ok {
		t.Fatal("draft not cleared")
	}
}

func TestWizardOutOfOrder(t *testing.T) {
	drafts := map[string][]byte{}
	b, _ := json.Marshal(Draft{Step: StepDetails, ShowID: "s1"})
	drafts["c1"] = b
	svc := &Service{Drafts: fakeDrafts(drafts), Now: time.Now}
	err := svc.Advance(context.Background(), StepCommand{Creator: "c1", Step: StepAudio})
	if err == nil {
		t.Fatal("expected out-of-order error")
	}
}
