package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"example.com/academy/internal/courses"
	"example.com/academy/internal/dashboard"
	"example.com/academy/internal/quiz"
	"example.com/academy/internal/reports"
)

var errDevNotFound = errors.New("dev: not found")

// devDB stands in for Postgres and the mail relay when running locally;
// the production build wires internal/pg instead.
type devDB struct{ log *slog.Logger }

func (d *devDB) CourseByID(_ context.Context, id string) (courses.Course, error) {
	if id != "go-101" {
		return courses.Course{}, errDevNotFound
	}
	return courses.Course{ID: id, Slug: "go-basics", Title: "Go Basics", InstructorID: "ins-1", EndsAt: time.Now().AddDate(0, 3, 0)}, nil
}
func (d *devDB) Popular(ctx context.Context, _ int) ([]courses.Course, error) {
	c, err := d.CourseByID(ctx, "go-101")
	return []courses.Course{c}, err
}
func (d *devDB) InstructorByID(_ context.Context, id string) (courses.Instructor, error) {
	return courses.Instructor{ID: id, Name: "Dev Instructor"}, nil
}
func (d *devDB) LookupEmail(context.Context, string) (string, error)       { return "learner-1", nil }
func (d *devDB) SetPassword(context.Context, string, string) error         { return nil }
func (d *devDB) MarkVerified(context.Context, string) error                { return nil }
func (d *devDB) Purchased(context.Context, string) (int, error)            { return 50, nil }
func (d *devDB) RecordScore(context.Context, quiz.Attempt) error           { return nil }
func (d *devDB) RecentTop(context.Context, int) ([]quiz.Score, error)      { return nil, nil }
func (d *devDB) Cohorts(context.Context, string) ([]map[string]any, error) { return nil, nil }
func (d *devDB) CourseSummary(_ context.Context, id string) (dashboard.Summary, error) {
	return dashboard.Summary{CourseID: id, ComputedAt: time.Now().UTC()}, nil
}
func (d *devDB) CourseReport(_ context.Context, id, day string) (reports.CourseReport, error) {
	return reports.CourseReport{CourseID: id, Day: day}, nil
}
func (d *devDB) Send(ctx context.Context, to, subject, _ string) error {
	d.log.InfoContext(ctx, "mail", "to", to, "subject", subject)
	return nil
}
