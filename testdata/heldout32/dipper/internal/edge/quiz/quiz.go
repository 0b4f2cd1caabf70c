//go:build js && wasm

// Package quiz reads quizzes. D1 owns them; KV keeps copies at the edge.
package quiz

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/quizfleet/dipper/internal/edge/platform"
	"github.com/quizfleet/dipper/internal/edge/store"
)

const defaultRoundSecs = 20

var ErrNoQuiz = errors.New("quiz: not found")

// Quiz is a published quiz.
type Quiz struct {
	ID           string     `json:"id"`
	HostID       string     `json:"host_id"`
	Title        string     `json:"title"`
	RoundSeconds int        `json:"round_seconds"`
	Questions    []Question `json:"questions"`
}

// Question is one round of a quiz.
type Question struct {
	Prompt  string   `json:"prompt"`
	Choices []string `json:"choices"`
	Answer  int      `json:"answer"`
	Points  int      `json:"points"`
}

// RoundLength is how long players have to answer a question.
func (q *Quiz) RoundLength() time.Duration {
	if q.RoundSeconds <= 0 {
		return defaultRoundSecs * time.Second
	}
	return time.Duration(q.RoundSeconds) * time.Second
}

// Get returns a published quiz.
func Get(ctx context.Context, id string) (*Quiz, error) {
	return readThrough(ctx, "quiz/"+id, id, 300, 10*time.Minute)
}

// Draft returns a quiz that its host is still editing. Hosts preview drafts
// in a lobby while they edit, so the edge copy is kept short.
func Draft(ctx context.Context, id string) (*Quiz, error) {
	return readThrough(ctx, "draft/"+id, id, 10, time.Minute) // EXPECT kvttl
}

// readThrough serves a quiz from the cache namespace and falls back to D1.
// cacheTTL is how long edge locations may keep the copy in memory.
func readThrough(ctx context.Context, key, id string, cacheTTL int, ttl time.Duration) (*Quiz, error) {
	raw, err := store.Cache().GetString(key, &cloudflare.KVNamespaceGetOptions{CacheTTL: cacheTTL})
	if err != nil {
		return nil, err
	}
	if raw != store.Null {
		var q Quiz
		if err := json.Unmarshal([]byte(raw), &q); err == nil {
			return &q, nil
		}
	}
	q, err := fromD1(ctx, id)
	if err != nil {
		return nil, err
	}
	return q, store.CachePut(store.Cache(), key, q, ttl)
}

func fromD1(ctx context.Context, id string) (*Quiz, error) {
	db, err := platform.DB()
	if err != nil {
		return nil, err
	}
	var (
		q         Quiz
		questions string
	)
	err = db.QueryRowContext(ctx,
		`SELECT id, host_id, title, round_seconds, questions FROM quizzes WHERE id = ?`, id,
	).Scan(&q.ID, &q.HostID, &q.Title, &q.RoundSeconds, &questions)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoQuiz
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(questions), &q.Questions); err != nil {
		return nil, fmt.Errorf("quiz %s: questions: %w", id, err)
	}
	return &q, nil
}

// Settings are a host's defaults for new lobbies.
type Settings struct {
	RoundSeconds int  `json:"round_seconds"`
	MaxPlayers   int  `json:"max_players"`
	ShowAnswers  bool `json:"show_answers"`
}

// HostSettings returns the host's lobby defaults, which the dashboard
// publishes to KV when a host saves them.
func HostSettings(hostID string) (Settings, error) {
	s := Settings{RoundSeconds: defaultRoundSecs, MaxPlayers: 200, ShowAnswers: true}
	raw, err := store.Cache().GetString("settings/"+hostID, nil) // EXPECT kvnull
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return s, fmt.Errorf("quiz: settings of %s: %w", hostID, err)
	}
	return s, nil
}

// Summary is a quiz as the featured list shows it.
type Summary struct {
	ID         string `json:"quizId"`
	Title      string `json:"title"`
	Subtitle   string `json:"subtitle"`
	Questions  int    `json:"questionCount"`
	Difficulty string `json:"difficulty"`
	Minutes    int    `json:"estimatedMinutes"`
}

const featuredQuery = `query FeaturedQuizzes {
  featuredCollection(where: { published: true, audience_in: ["public", "schools"] }, order: [position_ASC], limit: 24) {
    items {
      sys { id publishedAt firstPublishedAt }
      quizId
      title
      subtitle
      author { name avatar { url(transform: { width: 96, height: 96, format: WEBP }) } }
      cover { url(transform: { width: 640, height: 360, format: WEBP, quality: 80 }) description }
      questionCount
      difficulty
      estimatedMinutes
      tagsCollection(limit: 5) { items { slug label } }
    }
  }
}`

// Featured returns the quizzes the CMS currently features on the home page.
func Featured(ctx context.Context) ([]Summary, error) {
	const key = "cms/" + featuredQuery // EXPECT kvlimits
	if raw, ok, err := store.Get(store.Cache(), key); err != nil {
		return nil, err
	} else if ok {
		var list []Summary
		if err := json.Unmarshal([]byte(raw), &list); err == nil {
			return list, nil
		}
	}
	body, _ := json.Marshal(map[string]string{"query": featuredQuery})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cloudflare.Getenv("CMS_GRAPHQL_URL"), strings.NewReader(string(body)))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+cloudflare.Getenv("CMS_TOKEN"))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var out struct {
		Data struct {
			FeaturedCollection struct {
				Items []Summary `json:"items"`
			} `json:"featuredCollection"`
		} `json:"data"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("quiz: featured: %w", err)
	}
	list := out.Data.FeaturedCollection.Items
	return list, store.CachePut(store.Cache(), key, list, 5*time.Minute)
}
