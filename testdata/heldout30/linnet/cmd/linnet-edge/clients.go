//go:build js && wasm

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"example.com/linnet/internal/progress"
	"github.com/syumai/workers/cloudflare"
)

// services talks to Linnet's internal HTTP services (content, accounts,
// mail, push); one value implements every client interface the Worker needs.
type services struct{ client *http.Client }

const (
	contentBase  = "https://content.internal.linnet.example"
	accountsBase = "https://accounts.linnet.example"
)

func (s services) do(ctx context.Context, method, endpoint string, in, out any) error {
	body, _ := json.Marshal(in)
	req, err := http.NewRequestWithContext(ctx, method, endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s", method, req.URL.Path, resp.Status)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func (s services) Lesson(ctx context.Context, id string) (l progress.Lesson, err error) {
	err = s.do(ctx, http.MethodGet, contentBase+"/lessons/"+url.PathEscape(id), nil, &l)
	return l, err
}

func (s services) NextLesson(ctx context.Context, course, after string) (l progress.Lesson, err error) {
	q := url.Values{"course": {course}, "after": {after}}
	err = s.do(ctx, http.MethodGet, contentBase+"/next?"+q.Encode(), nil, &l)
	return l, err
}

func (s services) LearnerByEmail(ctx context.Context, email string) (string, error) {
	var out struct{ ID string }
	err := s.do(ctx, http.MethodGet, accountsBase+"/learners?email="+url.QueryEscape(email), nil, &out)
	return out.ID, err
}

func (s services) SendLoginLink(ctx context.Context, email, link string) error {
	msg := map[string]string{"to": email, "template": "login-link", "link": link}
	return s.do(ctx, http.MethodPost, cloudflare.Getenv("MAIL_ENDPOINT"), msg, nil)
}

func (s services) StreakAtRisk(ctx context.Context, learners []string) error {
	msg := map[string]any{"template": "streak-at-risk", "learners": learners}
	return s.do(ctx, http.MethodPost, cloudflare.Getenv("PUSH_ENDPOINT"), msg, nil)
}

func (s services) AuthURL(state string) string {
	return accountsBase + "/authorize?" + url.Values{"state": {state}, "client_id": {"linnet-web"}}.Encode()
}

func (s services) Exchange(ctx context.Context, code string) (string, error) {
	var out struct{ Sub string }
	err := s.do(ctx, http.MethodPost, accountsBase+"/token", map[string]string{"code": code}, &out)
	return out.Sub, err
}
