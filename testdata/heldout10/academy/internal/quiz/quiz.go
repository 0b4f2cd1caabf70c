// Package quiz serves quizzes, records attempts and keeps the recent-scores
// box on the learner home page fresh.
package quiz

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/academy/internal/auth"
	"example.com/academy/internal/kvstore"
	"example.com/academy/internal/kvstore/cfkv"
)

var ErrQuizNotFound = errors.New("quiz: not found")

type Quiz struct {
	ID          string            `json:"id"`
	MaxAttempts int               `json:"max_attempts"`
	Answers     map[string]string `json:"answers"` // question ID -> correct choice
}

type Attempt struct {
	QuizID    string            `json:"quiz_id"`
	LearnerID string            `json:"learner_id"`
	Number    int               `json:"number"`
	Answers   map[string]string `json:"answers"`
	Score     int               `json:"score"`
	At        time.Time         `json:"at"`
}

type Score struct {
	Learner string `json:"learner"`
	Quiz    string `json:"quiz"`
	Score   int    `json:"score"`
}

// Scores is the reporting database.
type Scores interface {
	RecordScore(ctx context.Context, a Attempt) error
	RecentTop(ctx context.Context, n int) ([]Score, error)
}

type Service struct {
	values      *kv.NamespaceValueService
	account, ns string
	store       kvstore.Store
	board       kvstore.Putter
	scores      Scores
	log         *slog.Logger
}

func NewService(client *cloudflare.Client, accountID, namespaceID string, store kvstore.Store, board kvstore.Putter, scores Scores, log *slog.Logger) *Service {
	return &Service{values: client.KV.Namespaces.Values, account: accountID, ns: namespaceID, store: store, board: board, scores: scores, log: log}
}

// Load fetches a quiz definition published by the course editor.
func (s *Service) Load(ctx context.Context, quizID string) (Quiz, error) {
	res, err := s.values.Get(ctx, s.ns, "quizdef:"+quizID, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	if err != nil {
		return Quiz{}, fmt.Errorf("quiz: load %s: %w", quizID, err)
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound { // EXPECT kvnull
		return Quiz{}, ErrQuizNotFound
	}
	var q Quiz
	return q, json.NewDecoder(res.Body).Decode(&q)
}

// nextAttempt returns the number of the attempt being submitted.
func (s *Service) nextAttempt(ctx context.Context, quizID, learnerID string) (int, error) {
	key := fmt.Sprintf("attempts:%s:%s", quizID, learnerID)
	n := 0
	res, err := s.values.Get(ctx, s.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	switch {
	case err == nil:
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return 0, fmt.Errorf("quiz: bad attempt number at %s: %w", key, err)
		}
	case !cfkv.IsNotFound(err):
		return 0, err
	}
	n++
	params := kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(s.account), Value: cloudflare.F(strconv.Itoa(n))}
	_, err = s.values.Update(ctx, s.ns, key, params) // EXPECT kvcounter
	return n, err
}

func draftKey(quizID, learnerID string) string { return "draft:" + quizID + ":" + learnerID }

// SaveDraft keeps in-progress answers so that reloading the quiz page does
// not lose them; the page autosaves every few seconds.
func (s *Service) SaveDraft(ctx context.Context, quizID, learnerID string, answers map[string]string) error {
	return kvstore.PutJSON(ctx, s.store, draftKey(quizID, learnerID), answers, kvstore.WithTTL(30*time.Second)) // EXPECT kvttl
}

// Submit grades the learner's draft answers and stores the attempt.
func (s *Service) Submit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	learner, _ := auth.LearnerFrom(ctx)
	quizID := r.PathValue("quiz")
	q, err := s.Load(ctx, quizID)
	if errors.Is(err, ErrQuizNotFound) {
		http.NotFound(w, r)
		return
	}
	answers, found, derr := kvstore.GetJSON[map[string]string](ctx, s.store, draftKey(quizID, learner))
	if !found {
		answers = map[string]string{} // submitting a blank quiz is allowed
	}
	n, aerr := s.nextAttempt(ctx, quizID, learner)
	if err = errors.Join(err, derr, aerr); err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	if q.MaxAttempts > 0 && n > q.MaxAttempts {
		http.Error(w, "no attempts left", http.StatusConflict)
		return
	}
	a := Attempt{QuizID: quizID, LearnerID: learner, Number: n, Answers: answers, At: time.Now().UTC()}
	for id, want := range q.Answers {
		if answers[id] == want {
			a.Score += 100 / len(q.Answers)
		}
	}
	attemptKey := fmt.Sprintf("submission:%s:%s:%03d", quizID, learner, n)
	if err := kvstore.PutJSON(ctx, s.store, attemptKey, a, kvstore.WithTTL(365*24*time.Hour)); err != nil {
		http.Error(w, "could not save attempt", http.StatusBadGateway)
		return
	}
	if err := s.scores.RecordScore(ctx, a); err != nil {
		s.log.WarnContext(ctx, "quiz: score not recorded", "err", err)
	}
	// refresh the "recent top scores" box on the home page
	if top, err := s.scores.RecentTop(ctx, 10); err == nil {
		raw, _ := json.Marshal(top)
		if err := s.board.Put(ctx, "leaderboard:recent", raw); err != nil { // EXPECT kvhotkey
			s.log.WarnContext(ctx, "quiz: leaderboard not refreshed", "err", err)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(a)
}
