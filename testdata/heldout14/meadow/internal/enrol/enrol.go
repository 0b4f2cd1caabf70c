// Package enrol records who is enrolled in what, in each tenant's scope.
// Payments and seat counts live in the billing service.
package enrol

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"example.com/meadow/internal/repo"
	"example.com/meadow/internal/storage"
	"example.com/meadow/internal/tenant"
)

// Status of an enrolment.
type Status string

const (
	Active    Status = "active"
	Paused    Status = "paused"
	Completed Status = "completed"
	Withdrawn Status = "withdrawn"
)

var (
	ErrNotEnrolled  = errors.New("enrol: learner is not enrolled")
	ErrConflict     = errors.New("enrol: enrolment changed since it was read")
	ErrInvalidState = errors.New("enrol: transition not allowed")
)

// Enrolment is one learner in one course.
type Enrolment struct {
	Course    string    `json:"course"`
	Learner   string    `json:"learner"`
	Status    Status    `json:"status"`
	Version   int       `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
}

// StoreKey implements repo.Entity.
func (e Enrolment) StoreKey() string {
	return strings.Join([]string{"enrol", e.Course, e.Learner}, "/")
}

func keyOf(course, learner string) string {
	return Enrolment{Course: course, Learner: learner}.StoreKey()
}

// EnrolCommand enrols a learner. Replays with the same IdempotencyKey return
// the first answer.
type EnrolCommand struct {
	Course, Learner string
	IdempotencyKey  string
}

// ChangeStatusCommand moves an enrolment, guarded by the version the client saw.
type ChangeStatusCommand struct {
	Course, Learner string
	To              Status
	ExpectedVersion int
}

// EnrolmentQuery reads one enrolment.
type EnrolmentQuery struct{ Course, Learner string }

// EnrolLearner is the enrol use case.
type EnrolLearner struct {
	Enrolments  repo.Repo[Enrolment]
	Idempotency storage.Store
	ReplayTTL   time.Duration
	Clock       func() time.Time
}

// Execute enrols cmd.Learner, writing a fresh version-1 record.
func (uc EnrolLearner) Execute(ctx context.Context, cmd EnrolCommand) (Enrolment, error) {
	idemKey := "idem/enrol/" + cmd.IdempotencyKey
	if cmd.IdempotencyKey != "" {
		if b, err := uc.Idempotency.Get(ctx, idemKey); err == nil {
			var prev Enrolment
			if err := json.Unmarshal(b, &prev); err == nil {
				return prev, nil
			}
		} else if !storage.IsNotFound(err) {
			return Enrolment{}, err
		}
	}
	e := Enrolment{Course: cmd.Course, Learner: cmd.Learner, Status: Active, Version: 1, UpdatedAt: uc.Clock().UTC()}
	if err := uc.Enrolments.Save(ctx, e); err != nil {
		return Enrolment{}, err
	}
	if cmd.IdempotencyKey != "" {
		b, _ := json.Marshal(e)
		if err := uc.Idempotency.Put(ctx, idemKey, b, storage.PutOptions{TTL: uc.ReplayTTL}); err != nil {
			return Enrolment{}, fmt.Errorf("enrol: record replay: %w", err)
		}
	}
	return e, nil
}

// ChangeStatus is the status-transition use case.
type ChangeStatus struct {
	Enrolments repo.Repo[Enrolment]
	Clock      func() time.Time
}

// Execute applies cmd if the stored version still matches.
func (uc ChangeStatus) Execute(ctx context.Context, cmd ChangeStatusCommand) (Enrolment, error) {
	opt, err := uc.Enrolments.Find(ctx, keyOf(cmd.Course, cmd.Learner))
	if err != nil {
		return Enrolment{}, err
	}
	e, ok := opt.Get()
	if !ok {
		return Enrolment{}, ErrNotEnrolled
	}
	if e.Version != cmd.ExpectedVersion {
		return e, ErrConflict
	}
	if e.Status == Completed || e.Status == cmd.To {
		return e, fmt.Errorf("%w: %s -> %s", ErrInvalidState, e.Status, cmd.To)
	}
	e.Status = cmd.To
	e.Version++
	e.UpdatedAt = uc.Clock().UTC()
	if err := uc.Enrolments.Save(ctx, e); err != nil { // EXPECT kvrace
		return Enrolment{}, err
	}
	return e, nil
}

// Service dispatches commands and queries for one tenant at a time.
type Service struct {
	Store     storage.Store
	ReplayTTL time.Duration
	Clock     func() time.Time
}

func (s Service) repoFor(tenantID string) repo.Repo[Enrolment] {
	return repo.New[Enrolment](tenant.Scope(s.Store, tenantID), "")
}

// Handle runs msg in tenantID's scope.
func (s Service) Handle(ctx context.Context, tenantID string, msg any) (any, error) {
	r := s.repoFor(tenantID)
	switch m := msg.(type) {
	case EnrolCommand:
		uc := EnrolLearner{Enrolments: r, Idempotency: tenant.Scope(s.Store, tenantID), ReplayTTL: s.ReplayTTL, Clock: s.Clock}
		return uc.Execute(ctx, m)
	case ChangeStatusCommand:
		return ChangeStatus{Enrolments: r, Clock: s.Clock}.Execute(ctx, m)
	case EnrolmentQuery:
		opt, err := r.Find(ctx, keyOf(m.Course, m.Learner))
		if e, ok := opt.Get(); ok || err != nil {
			return e, err
		}
		return nil, ErrNotEnrolled
	default:
		return nil, fmt.Errorf("enrol: unknown message %T", msg)
	}
}
