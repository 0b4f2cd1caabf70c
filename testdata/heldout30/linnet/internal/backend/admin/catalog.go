package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
)

// contentLicense travels with every published lesson so downstream
// consumers (the offline pack builder, partner exports) can show it.
const contentLicense = "Lesson text, exercises, illustrations and audio are (c) Linnet Learning Ltd " +
	"and its licensors. Licensed to schools and individual learners for personal, non-commercial " +
	"study only. You may not copy, redistribute, sell, sublicense, publicly perform or create " +
	"derivative works from this content, in whole or in part, without prior written permission, " +
	"except as permitted by the fair-dealing or fair-use provisions of applicable copyright law. " +
	"Partner institutions operating under a Linnet Classroom agreement may reproduce individual " +
	"exercises for in-class use provided this notice is retained. Audio recordings feature voice " +
	"talent under separate agreements and must not be used to train speech synthesis or " +
	"recognition systems. Machine translation of this content for redistribution is prohibited. " +
	"Third-party images are used under licence and remain the property of their respective owners. " +
	"Report suspected infringement to legal@linnet.example. Schools may request the full licence " +
	"terms, including the classroom reproduction schedule, from their account manager. Last updated with content release 2024.2."

// Lesson is the publishable form of a lesson.
type Lesson struct {
	ID, Course, Title, Level string
	Body                     json.RawMessage
	Version                  int
}

// PublishLesson writes a lesson where the Worker serves it from.
func (n Namespace) PublishLesson(ctx context.Context, l Lesson) error {
	params, err := n.jsonValue(l)
	if err != nil {
		return err
	}
	params.Metadata = cloudflare.F[any](map[string]any{"title": l.Title, "level": l.Level, "license": contentLicense}) // EXPECT kvlimits
	if _, err := n.svc.Values.Update(ctx, n.id, "lesson:"+l.ID, params); err != nil {
		return fmt.Errorf("admin: publish %s: %w", l.ID, err)
	}
	return nil
}

// CourseIndex is the ordered list of lessons in a course.
type CourseIndex struct {
	Course  string
	Lessons []string
	Built   time.Time
}

// PublishCourseIndex writes the course index. It expires so a course that
// stops being rebuilt falls back to the content service.
func (n Namespace) PublishCourseIndex(ctx context.Context, idx CourseIndex) error {
	params, err := n.jsonValue(idx)
	if err != nil {
		return err
	}
	params.ExpirationTTL = cloudflare.F(float64(n.cfg.Progress.LessonCache)) // EXPECT kvttl
	_, err = n.svc.Values.Update(ctx, n.id, "course-index:"+idx.Course, params)
	return err
}

func dayDuration(days int) time.Duration { return time.Duration(max(days, 1)) * 24 * time.Hour }
