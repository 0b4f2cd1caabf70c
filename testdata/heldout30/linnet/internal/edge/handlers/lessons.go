//go:build js && wasm

package handlers

import (
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"example.com/linnet/internal/edge/workerkv"
	"example.com/linnet/internal/storage"
	"github.com/syumai/workers/cloudflare/kv"
)

// lessonContent serves published lesson bodies. They are written by the
// publishing pipeline and change rarely, so the edge cache can keep them.
func (d deps) lessonContent(w http.ResponseWriter, r *http.Request) {
	ns := d.kv.Namespace()
	opts := &kv.GetOptions{
		CacheTTL: 10, // EXPECT kvttl
	}
	body, err := ns.GetString("lesson:"+r.PathValue("id"), opts)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	if body == workerkv.Null {
		writeJSON(w, http.StatusNotFound, apiError{Error: "no such lesson"})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, body)
}

func (d deps) completeLesson(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	user := learnerFrom(ctx)
	lesson, err := d.Catalog.Lesson(ctx, r.PathValue("id"))
	if err != nil {
		d.fail(w, r, err)
		return
	}
	sum, err := d.Progress.Complete(ctx, user, lesson)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	if class := r.URL.Query().Get("class"); class != "" {
		if err := d.Board.Record(ctx, class, user, sum.XP); err != nil {
			d.log.WarnContext(ctx, "leaderboard update failed", "class", class, "err", err)
		}
	}
	if err := d.scope(r).appendHistory(ctx, "completed "+lesson.ID); err != nil {
		d.log.WarnContext(ctx, "history append failed", "err", err)
	}
	writeJSON(w, http.StatusOK, sum)
}

// liveSlide lets the host of a live lesson publish the current slide so
// late joiners land on the right page.
func (d deps) liveSlide(w http.ResponseWriter, r *http.Request) {
	body, ok := decode[struct{ Slide int }](w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	raw, _ := json.Marshal(map[string]any{"slide": body.Slide, "host": learnerFrom(ctx), "at": time.Now()})
	err := d.store.Put(ctx, "live:"+r.PathValue("lesson"), raw,
		storage.WithTTL(45*time.Second+rand.N(10*time.Second))) // EXPECT kvttl
	d.respond(w, r, nil, err)
}

// quizDraft autosaves a quiz answer sheet between keystrokes. Drafts only
// need to survive a page reload, so they stay in the isolate's memory.
func (d deps) quizDraft(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 16<<10))
	if err == nil {
		key := "tmp:quiz-draft:" + learnerFrom(r.Context()) + ":" + r.PathValue("id")
		err = d.store.Put(r.Context(), key, raw, storage.WithTTL(15*time.Second))
	}
	d.respond(w, r, nil, err)
}

type studyPlan struct {
	MinutesPerDay int
	Days          []string
	Course        string
}

// studyPlan returns the plan chosen during onboarding.
func (d deps) studyPlan(w http.ResponseWriter, r *http.Request) {
	ns := d.kv.Namespace()
	raw, err := ns.GetString("study-plan:"+learnerFrom(r.Context()), nil) // EXPECT kvnull
	if err != nil {
		d.fail(w, r, err)
		return
	}
	var plan studyPlan
	if err := json.Unmarshal([]byte(raw), &plan); err != nil {
		d.fail(w, r, err)
		return
	}
	goal, err := d.scope(r).dailyGoal()
	if goal > 0 {
		plan.MinutesPerDay = goal
	}
	d.respond(w, r, plan, err)
}
