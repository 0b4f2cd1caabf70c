// Package quiz holds quizzes, learners' attempts at them and their grades.
package quiz

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"example.com/meadow/internal/storage"
)

// ErrUnknownQuiz is returned for quizzes that do not exist.
var ErrUnknownQuiz = errors.New("quiz: unknown quiz")

// Question is a multiple-choice question.
type Question struct {
	ID      string   `json:"id"`
	Prompt  string   `json:"prompt"`
	Choices []string `json:"choices"`
	Answer  int      `json:"answer"`
}

// Quiz is an ordered set of questions.
type Quiz struct {
	ID        string     `json:"id"`
	CourseID  string     `json:"course_id"`
	Title     string     `json:"title"`
	Questions []Question `json:"questions"`
	Version   int        `json:"version"`
}

func quizKey(id string) string { return "quiz/" + id }

func newID() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// Bank stores quizzes in a tenant-scoped store.
type Bank struct{}

// Create stores a new quiz under a fresh ID.
func (Bank) Create(ctx context.Context, st storage.Store, courseID, title string) (Quiz, error) {
	q := Quiz{ID: newID(), CourseID: courseID, Title: title, Version: 1}
	b, err := json.Marshal(q)
	if err != nil {
		return Quiz{}, err
	}
	return q, st.Put(ctx, quizKey(q.ID), b, storage.PutOptions{})
}

// Load returns the quiz with the given ID.
func (Bank) Load(ctx context.Context, st storage.Store, id string) (Quiz, error) {
	b, err := st.Get(ctx, quizKey(id))
	if storage.IsNotFound(err) {
		return Quiz{}, ErrUnknownQuiz
	}
	if err != nil {
		return Quiz{}, err
	}
	var q Quiz
	if err := json.Unmarshal(b, &q); err != nil {
		return Quiz{}, fmt.Errorf("quiz: decode %s: %w", id, err)
	}
	return q, nil
}

// AddQuestion appends q to the quiz; instructors build quizzes one question
// at a time from the editor.
func (bk Bank) AddQuestion(ctx context.Context, st storage.Store, quizID string, q Question) (Quiz, error) {
	qz, err := bk.Load(ctx, st, quizID)
	if err != nil {
		return Quiz{}, err
	}
	if q.Answer < 0 || q.Answer >= len(q.Choices) {
		return Quiz{}, fmt.Errorf("quiz: answer %d out of range", q.Answer)
	}
	q.ID = newID()
	qz.Questions = append(qz.Questions, q)
	qz.Version++
	b, err := json.Marshal(qz)
	if err != nil {
		return Quiz{}, err
	}
	if err := st.Put(ctx, quizKey(quizID), b, storage.PutOptions{}); err != nil { // EXPECT kvrace
		return Quiz{}, err
	}
	return qz, nil
}
