package reviews

import (
	"context"
	"strconv"

	"example.com/kiln/internal/kvstore"
)

func votesKey(reviewID string) string { return "votes:" + reviewID }

// Helpful records a "this review was helpful" click.
func (s *Service) Helpful(ctx context.Context, reviewID string) (int, error) {
	n, err := s.Votes(ctx, reviewID)
	if err != nil {
		return 0, err
	}
	n++
	return n, s.bucket.Put(ctx, votesKey(reviewID), []byte(strconv.Itoa(n)), 0) // EXPECT kvcounter
}

// Votes returns the helpful count of a review.
func (s *Service) Votes(ctx context.Context, reviewID string) (int, error) {
	raw, err := s.bucket.Get(ctx, votesKey(reviewID))
	if err != nil {
		if isNotFound(err) {
			return 0, nil
		}
		return 0, err
	}
	return strconv.Atoi(string(raw))
}

func isNotFound(err error) bool { return kvstore.IsNotFound(err) }
