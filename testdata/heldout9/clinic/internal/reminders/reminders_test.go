package reminders

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/clinic/internal/config"
	"example.com/clinic/internal/kvrest"
	"example.com/clinic/internal/kvrest/kvresttest"
)

type recorder struct{ sent []string }

func (r *recorder) Notify(_ context.Context, j Job) error {
	r.sent = append(r.sent, j.ID)
	return nil
}

func TestRunOnceSendsDueJobs(t *testing.T) {
	srv := kvresttest.New()
	defer srv.Close()
	kv := kvrest.New("acct", "ns", "tok", kvrest.WithBaseURL(srv.URL))
	rec := &recorder{}
	r := NewRunner(kv, rec, config.Defaults().Reminders, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()

	due := Job{ID: "j1", ClinicID: "c1", Phone: "+100", SendAt: time.Now().Add(-time.Minute)}
	later := Job{ID: "j2", ClinicID: "c1", Phone: "+200", SendAt: time.Now().Add(time.Hour)}
	if err := r.ScheduleMany(ctx, []Job{due, later}); err != nil {
		t.Fatal(err)
	}
	if err := r.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if len(rec.sent) != 1 || rec.sent[0] != "j1" {
		t.Fatalf("sent = %v", rec.sent)
	}
	if _, ok := srv.Value("reminder:j1"); ok {
		t.Fatal("sent job should be deleted")
	}
	if _, ok := srv.Value("reminders:last-run"); !ok {
		t.Fatal("last-run marker missing")
	}
	j, err := r.Describe(ctx, "j2")
	if err != nil || j.Phone != "+200" {
		t.Fatalf("Describe = %+v, %v", j, err)
	}
}

func TestScheduleClampsTTL(t *testing.T) {
	srv := kvresttest.New()
	defer srv.Close()
	kv := kvrest.New("acct", "ns", "tok", kvrest.WithBaseURL(srv.URL))
	r := NewRunner(kv, &recorder{}, config.Defaults().Reminders, slog.New(slog.NewTextHandler(io.Discard, nil)))
	past := Job{ID: "old", SendAt: time.Now().Add(-48 * time.Hour)}
	if err := r.Schedule(context.Background(), past); err != nil {
		t.Fatal(err)
	}
	if got := srv.TTLs["reminder:old"]; got != 60 {
		t.Fatalf("ttl = %d, want 60", got)
	}
}
