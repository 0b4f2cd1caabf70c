//go:build js && wasm

// Package votes records up- and down-votes on posts.
package votes

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/syumai/workers/cloudflare/kv"

	"catbird/internal/edgekv"
)

var ErrBadDirection = errors.New("votes: direction must be -1, 0 or 1")

// Votes keeps one key per (post, member) plus a score per post.
type Votes struct {
	B edgekv.Bucket
}

func voteKey(postID, memberID string) string { return fmt.Sprintf("vote:%s:%s", postID, memberID) }
func votePrefix(postID string) string        { return fmt.Sprintf("vote:%s:", postID) }
func scoreKey(postID string) string          { return fmt.Sprintf("score:post:%s", postID) }

// Seed writes the initial score of a freshly created post.
func (v Votes) Seed(postID string) error {
	return v.B.NS().PutString(scoreKey(postID), "0", nil)
}

// Cast sets memberID's vote on postID to dir and adjusts the post's score.
func (v Votes) Cast(postID, memberID string, dir int) (int, error) {
	if dir < -1 || dir > 1 {
		return 0, ErrBadDirection
	}
	prevDir := 0
	prev, found, err := v.B.Get(voteKey(postID, memberID))
	if err != nil {
		return 0, err
	}
	if found {
		prevDir, _ = strconv.Atoi(prev)
	}
	if prevDir == dir {
		return 0, nil
	}
	if dir == 0 {
		err = v.B.Delete(voteKey(postID, memberID))
	} else {
		err = v.B.Put(voteKey(postID, memberID), strconv.Itoa(dir), 0)
	}
	if err != nil {
		return 0, err
	}

	raw, err := v.B.NS().GetString(scoreKey(postID), nil) // EXPECT kvnull
	if err != nil {
		return 0, err
	}
	score, err := strconv.Atoi(raw)
	if err != nil {
		return 0, fmt.Errorf("votes: score of %s: %w", postID, err)
	}
	score += dir - prevDir
	if err := v.B.NS().PutString(scoreKey(postID), strconv.Itoa(score), nil); err != nil { // EXPECT kvcounter|kvrace
		return 0, err
	}
	return score, nil
}

// Recount rebuilds a post's score from the individual vote keys.
func (v Votes) Recount(postID string) (int, error) {
	opts := &kv.ListOptions{Prefix: votePrefix(postID)}
	total := 0
	for {
		res, err := v.B.NS().List(opts) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		for _, k := range res.Keys {
			raw, err := v.B.NS().GetString(k.Name, nil) // EXPECT kvlist
			if err != nil {
				return 0, err
			}
			if d, err := strconv.Atoi(raw); err == nil {
				total += d
			}
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	return total, v.B.Put(scoreKey(postID), strconv.Itoa(total), 0)
}
