//go:build js && wasm

package jobs

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/queues"

	"github.com/quillhaus/turnstone/internal/kvstore"
	"github.com/quillhaus/turnstone/internal/subscribers"
)

// event is the union of the bodies on Turnstone's queues.
type event struct {
	Campaign string `json:"campaign"`
	List     string `json:"list"`
	Email    string `json:"email"`
	Hard     bool   `json:"hard"`
	AuthorID string `json:"author_id"`
	Slug     string `json:"slug"`
}

func decode(m *queues.Message) (ev event, err error) {
	body, err := m.StringBody()
	if err == nil {
		err = json.Unmarshal([]byte(body), &ev)
	}
	return ev, err
}

// HandleBatch dispatches a queue batch by queue name.
func HandleBatch(env *Env, batch *queues.MessageBatch) error {
	switch batch.Queue {
	case "turnstone-opens":
		return countOpens(env, batch)
	case "turnstone-bounces":
		return recordBounces(env, batch)
	case "turnstone-published":
		return indexPublished(env, batch)
	}
	return fmt.Errorf("jobs: unexpected queue %q", batch.Queue)
}

// countOpens folds tracking-pixel hits into per-campaign open totals.
func countOpens(env *Env, batch *queues.MessageBatch) error {
	counts := map[string]int{}
	for _, m := range batch.Messages {
		if ev, err := decode(m); err == nil && ev.Campaign != "" {
			counts[ev.Campaign]++
		}
	}
	for _, campaign := range slices.Sorted(maps.Keys(counts)) {
		k := kvstore.Key("opens").Child(campaign)
		cur := 0
		if v, err := env.Content.Get(k); err == nil {
			cur, _ = strconv.Atoi(v)
		} else if !errors.Is(err, kvstore.ErrNotFound) {
			return err
		}
		if err := env.Content.Put(k, strconv.Itoa(cur+counts[campaign]), 0); err != nil { // EXPECT kvcounter
			return err
		}
	}
	batch.AckAll()
	return nil
}

// recordBounces marks hard bounces for the nightly sweep and tracks soft ones.
func recordBounces(env *Env, batch *queues.MessageBatch) error {
	for _, m := range batch.Messages {
		ev, err := decode(m)
		if err != nil {
			m.Ack()
			continue
		}
		ek := subscribers.EmailKey(ev.Email)
		if ev.Hard {
			err = env.Subs.Put(kvstore.Key("bounced").Child(ev.List).Child(ek), ev.Email, 0)
		} else {
			k := kvstore.Key("attempts:soft-bounce").Child(ek)
			n := 0
			if v, gerr := env.Subs.Get(k); gerr == nil {
				n, _ = strconv.Atoi(v)
			}
			err = env.Subs.Put(k, strconv.Itoa(n+1), 30*24*time.Hour) // EXPECT kvcounter
		}
		if err != nil {
			m.Retry(queues.WithRetryDelay(time.Minute))
			continue
		}
		if err := env.Subs.Put("queue:bounces:last", m.ID, 0); err != nil { // EXPECT kvhotkey
			env.Log.Warn("bounce checkpoint failed", "err", err)
		}
		m.Ack()
	}
	return nil
}

// indexPublished adds newly published articles to their author's index,
// one goroutine per message.
func indexPublished(env *Env, batch *queues.MessageBatch) error {
	type outcome struct {
		msg *queues.Message
		err error
	}
	out := make(chan outcome, len(batch.Messages))
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for _, m := range batch.Messages {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			out <- outcome{msg: m, err: addToAuthor(env.Content, m)}
		}()
	}
	wg.Wait()
	close(out)
	for o := range out {
		if o.err != nil {
			env.Log.Warn("author index failed", "msg", o.msg.ID, "err", o.err)
			o.msg.Retry(queues.WithRetryDelay(30 * time.Second))
		} else {
			o.msg.Ack()
		}
	}
	return nil
}

func addToAuthor(store kvstore.Store, m *queues.Message) error {
	ev, err := decode(m)
	if err != nil {
		return err
	}
	k := kvstore.Key("author").Child(ev.AuthorID).Versioned(1)
	var slugs []string
	if raw, err := store.Get(k); err == nil {
		if err := json.Unmarshal([]byte(raw), &slugs); err != nil {
			return err
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if slices.Contains(slugs, ev.Slug) {
		return nil
	}
	b, _ := json.Marshal(append(slugs, ev.Slug))
	return store.Put(k, string(b), 0) // EXPECT kvrace
}
