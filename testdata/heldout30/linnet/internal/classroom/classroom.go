// Package classroom manages classes, join codes, membership and live
// presence for teacher-led courses.
package classroom

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"example.com/linnet/internal/config"
	"example.com/linnet/internal/expiry"
	"example.com/linnet/internal/saga"
	"example.com/linnet/internal/storage"
)

var (
	ErrInvalidCode = errors.New("classroom: unknown or expired join code")
	ErrCodeTaken   = errors.New("classroom: join code already in use")
	ErrBadCode     = errors.New("classroom: join codes are 4-16 letters or digits")
)

// Class is a teacher's class.
type Class struct {
	ID, Name, Teacher, Code string
	Created                 time.Time
}

type Service struct {
	store  storage.Store
	cfg    config.Classroom
	client *http.Client
}

func New(store storage.Store, cfg config.Classroom, client *http.Client) *Service {
	return &Service{store: store, cfg: cfg, client: client}
}

func joinKey(code string) string       { return "join:" + strings.ToUpper(code) }
func memberPrefix(class string) string { return "member:" + class + ":" }

const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func randomCode(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b)
}

// CreateClass creates a class with a fresh random join code and makes the
// teacher its first member.
func (s *Service) CreateClass(ctx context.Context, teacher, name string) (Class, error) {
	cls := Class{ID: strings.ToLower(randomCode(12)), Name: name, Teacher: teacher, Code: randomCode(8), Created: time.Now()}
	raw, _ := json.Marshal(cls)
	classKey := "class:" + cls.ID
	err := saga.Saga{}.
		Then("class",
			func(ctx context.Context) error { return s.store.Put(ctx, classKey, raw) },
			func(ctx context.Context) error { return s.store.Delete(ctx, classKey) }).
		Then("join-code",
			func(ctx context.Context) error {
				return s.store.Put(ctx, joinKey(cls.Code), []byte(cls.ID), storage.WithTTL(s.cfg.CodeLifetime))
			},
			func(ctx context.Context) error { return s.store.Delete(ctx, joinKey(cls.Code)) }).
		Then("teacher-member",
			func(ctx context.Context) error {
				return s.store.Put(ctx, memberPrefix(cls.ID)+teacher, []byte("teacher"))
			},
			nil).
		Run(ctx)
	return cls, err
}

// ClaimVanityCode lets a teacher pick a memorable join code.
func (s *Service) ClaimVanityCode(ctx context.Context, class, code string) error {
	if len(code) < 4 || len(code) > 16 || strings.Trim(strings.ToUpper(code), codeAlphabet+"01IO") != "" {
		return ErrBadCode
	}
	key := joinKey(code)
	if _, err := s.store.Get(ctx, key); err == nil {
		return ErrCodeTaken
	} else if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	return s.store.Put(ctx, key, []byte(class), storage.WithTTL(s.cfg.CodeLifetime)) // EXPECT kvrace
}

// Join adds learner to the class behind code and returns the class ID.
func (s *Service) Join(ctx context.Context, code, learner string) (string, error) {
	raw, err := s.store.Get(ctx, joinKey(code))
	if errors.Is(err, storage.ErrNotFound) {
		return "", ErrInvalidCode
	}
	if err != nil {
		return "", err
	}
	return string(raw), s.store.Put(ctx, memberPrefix(string(raw))+learner, []byte("learner"))
}

// Heartbeat marks learner as present in the live class view.
func (s *Service) Heartbeat(ctx context.Context, class, learner string) error {
	return s.store.Put(ctx, "presence:"+class+":"+learner, []byte(time.Now().Format(time.RFC3339)),
		storage.WithTTL(20*time.Second)) // EXPECT kvttl
}

// Members returns everyone in a class, for the teacher's roster screen.
func (s *Service) Members(ctx context.Context, class string) ([]string, error) {
	page, err := s.store.List(ctx, storage.ListOptions{Prefix: memberPrefix(class)}) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		out = append(out, strings.TrimPrefix(k.Name, memberPrefix(class)))
	}
	return out, nil
}

// AcceptConsent records that the class teacher accepted the current notice.
func (s *Service) AcceptConsent(ctx context.Context, class, teacher string) error {
	rec, _ := json.Marshal(map[string]any{"teacher": teacher, "at": time.Now().Unix()})
	return s.store.Put(ctx, "consent:"+consentNoticeV3+":"+class, rec) // EXPECT kvlimits
}

// Plan is a lesson plan from the CMS.
type Plan struct {
	ID, Title string
	Steps     []string
}

// LessonPlan returns a lesson plan, cached for as long as the CMS allows.
func (s *Service) LessonPlan(ctx context.Context, class, plan string) (Plan, error) {
	key := "plan:" + class + ":" + plan
	if p, err := storage.GetJSON[Plan](ctx, s.store, key); err == nil {
		return p, nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return Plan{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.cfg.PlanSource+"/"+url.PathEscape(plan), nil)
	if err != nil {
		return Plan{}, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return Plan{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Plan{}, fmt.Errorf("classroom: cms: %s", resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var p Plan
	if err == nil {
		err = json.Unmarshal(body, &p)
	}
	if err != nil {
		return Plan{}, err
	}
	ttl := storage.WithTTL(expiry.Jitter(time.Hour, 15*time.Minute))
	if d, ok := expiry.FromCacheControl(resp.Header); ok {
		ttl = storage.WithTTL(d) // DEBATABLE kvttl
	}
	return p, s.store.Put(ctx, key, body, ttl)
}
