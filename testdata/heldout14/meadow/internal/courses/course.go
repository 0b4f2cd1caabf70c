// Package courses serves the course catalog from a KV read-through cache in
// front of the authoring service, which is the system of record.
package courses

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Lesson is one unit of a course.
type Lesson struct {
	ID       string        `json:"id"`
	Title    string        `json:"title"`
	Body     string        `json:"body,omitempty"`
	Duration time.Duration `json:"duration"`
}

// Course is a published course.
type Course struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Title     string    `json:"title"`
	Open      bool      `json:"open"`
	Lessons   []Lesson  `json:"lessons"`
	Published time.Time `json:"published"`
}

// Summary is what catalog listings show.
type Summary struct {
	ID    string `json:"id"`
	Slug  string `json:"slug"`
	Title string `json:"title"`
}

// ErrUnknown is returned for courses the authoring service does not know.
var ErrUnknown = errors.New("courses: unknown course")

// Source is the system of record.
type Source interface {
	Course(ctx context.Context, tenantID, id string) (Course, error)
	Lesson(ctx context.Context, tenantID, courseID, lessonID string) (Lesson, error)
	Popular(ctx context.Context, limit int) ([]Summary, error)
}

// AuthoringClient is the authoring service's HTTP client.
type AuthoringClient struct {
	BaseURL string
	HTTP    *http.Client
}

func (a AuthoringClient) get(ctx context.Context, v any, format string, args ...any) error {
	for i, arg := range args {
		if s, ok := arg.(string); ok {
			args[i] = url.PathEscape(s)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.BaseURL+fmt.Sprintf(format, args...), nil)
	if err != nil {
		return err
	}
	resp, err := a.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return json.NewDecoder(resp.Body).Decode(v)
	case http.StatusNotFound:
		return ErrUnknown
	}
	return fmt.Errorf("authoring: %s", resp.Status)
}

func (a AuthoringClient) Course(ctx context.Context, tenantID, id string) (c Course, err error) {
	err = a.get(ctx, &c, "/tenants/%s/courses/%s", tenantID, id)
	return c, err
}

func (a AuthoringClient) Lesson(ctx context.Context, tenantID, courseID, lessonID string) (l Lesson, err error) {
	err = a.get(ctx, &l, "/tenants/%s/courses/%s/lessons/%s", tenantID, courseID, lessonID)
	return l, err
}

func (a AuthoringClient) Popular(ctx context.Context, limit int) (s []Summary, err error) {
	err = a.get(ctx, &s, "/popular?limit=%d", limit)
	return s, err
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// encode gzips the JSON form of v; course bodies compress about 6:1.
func encode(v any) ([]byte, error) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	zw := gzip.NewWriter(buf)
	if err := json.NewEncoder(zw).Encode(v); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return bytes.Clone(buf.Bytes()), nil
}

func decode(b []byte, v any) error {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return err
	}
	defer zr.Close()
	return json.NewDecoder(zr).Decode(v)
}
