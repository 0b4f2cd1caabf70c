package dashboard

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"example.com/academy/internal/config"
	"example.com/academy/internal/kvstore"
	"example.com/academy/internal/kvstore/memkv"
	"example.com/academy/internal/progress"
)

type stats struct{}

func (stats) CourseSummary(_ context.Context, id string) (Summary, error) {
	return Summary{CourseID: id, Learners: 2}, nil
}

func TestRosterAndSummary(t *testing.T) {
	ctx := context.Background()
	s := memkv.New()
	for _, l := range []string{"a", "b"} {
		_ = kvstore.PutJSON(ctx, s, "enrolment:go-101:"+l, rosterRow{LearnerID: l}, kvstore.WithMetadata(map[string]string{"learner": l}))
	}
	d := New(s, s, progress.NewTracker(s), stats{}, config.Caching{DashboardTTL: time.Minute}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for view, want := range map[string]string{"roster": `"learner_id":"b"`, "summary": `"learners":2`, "learners": `"learner":"a"`} {
		req := httptest.NewRequest(http.MethodGet, "/instructor/"+view+"?course=go-101&instructor=i1", nil)
		req.SetPathValue("view", view)
		rec := httptest.NewRecorder()
		d.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("%s: %d %s", view, rec.Code, rec.Body)
		}
	}
	if raw, err := s.Get(ctx, "views:dashboard:i1"); err != nil || string(raw) != "1" {
		t.Errorf("views = %q, %v", raw, err)
	}
}
