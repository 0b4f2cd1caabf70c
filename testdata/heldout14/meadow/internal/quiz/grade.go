package quiz

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"example.com/meadow/internal/config"
	"example.com/meadow/internal/storage"
)

// Submission is one learner's answers.
type Submission struct {
	Learner string `json:"learner"`
	Answers []int  `json:"answers"`
}

// Grade is the outcome of a submission.
type Grade struct {
	Learner string    `json:"learner"`
	Score   int       `json:"score"`
	Max     int       `json:"max"`
	Passed  bool      `json:"passed"`
	At      time.Time `json:"at"`
}

// Grader scores submissions.
type Grader struct {
	Bank  Bank
	Clock func() time.Time
}

func score(q Quiz, answers []int) int {
	n := 0
	for i, qq := range q.Questions {
		if i < len(answers) && answers[i] == qq.Answer {
			n++
		}
	}
	return n
}

// passMark is the percentage needed to pass, set per quiz by the instructor.
func (g Grader) passMark(ctx context.Context, st storage.Store, quizID string) int {
	raw, _ := st.Get(ctx, "passmark/"+quizID) // EXPECT kvnull
	pm, _ := strconv.Atoi(string(raw))
	return pm
}

// GradeBatch grades subs concurrently, stores each learner's grade and keeps
// the quiz's "latest grade" summary current for the instructor dashboard.
func (g Grader) GradeBatch(ctx context.Context, st storage.Store, quizID string, subs []Submission) ([]Grade, error) {
	q, err := g.Bank.Load(ctx, st, quizID)
	if err != nil {
		return nil, err
	}
	pm := g.passMark(ctx, st, quizID)
	grades := make([]Grade, len(subs))
	errs := make([]error, len(subs))
	var wg sync.WaitGroup
	for i, sub := range subs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			gr := Grade{Learner: sub.Learner, Score: score(q, sub.Answers), Max: len(q.Questions), At: g.Clock().UTC()}
			gr.Passed = gr.Max > 0 && gr.Score*100 >= pm*gr.Max
			grades[i] = gr
			b, _ := json.Marshal(gr)
			if err := st.Put(ctx, "grade/"+quizID+"/"+sub.Learner, b, storage.PutOptions{}); err != nil {
				errs[i] = err
				return
			}
			errs[i] = st.Put(ctx, "quiz/"+quizID+"/latest-grade", b, storage.PutOptions{}) // EXPECT kvhotkey
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return grades, err
		}
	}
	return grades, nil
}

// CacheResults stores the class results table; bigger plans get longer-lived
// snapshots because their dashboards are heavier to rebuild.
func (g Grader) CacheResults(ctx context.Context, st storage.Store, quizID string, plan config.Plan, grades []Grade) error {
	opts := storage.PutOptions{}
	switch plan {
	case config.PlanEnterprise:
		opts.TTL = 30 * time.Minute
	case config.PlanTeam:
		opts.TTL = 5 * time.Minute
	default:
		opts.TTL = 20 * time.Second // EXPECT kvttl
	}
	b, err := json.Marshal(grades)
	if err != nil {
		return err
	}
	return st.Put(ctx, "results/"+quizID, b, opts)
}
