package subscribers

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"sync/atomic"
	"time"

	"godwit/internal/keys"
	"godwit/internal/kvstore"
	"godwit/internal/pipeline"
)

// ImportResult summarises an import job.
type ImportResult struct {
	Job      string    `json:"job"`
	Imported int64     `json:"imported"`
	Skipped  int64     `json:"skipped"`
	Finished time.Time `json:"finished"`
}

type progress struct {
	Job       string    `json:"job"`
	State     string    `json:"state"`
	LastEmail string    `json:"last_email"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Import reads CSV rows (email,name,tags) and stores them as active
// subscribers of listID. Rows go through a parse stage and a pool of writers;
// the admin UI polls the job's progress record.
func (s *Service) Import(ctx context.Context, account, listID, jobID string, r io.Reader, workers int) (ImportResult, error) {
	st := s.scoped(account)
	progressKey := keys.Build(keys.ImportProgress, jobID)
	var imported, skipped atomic.Int64

	g, gctx := pipeline.WithContext(ctx)
	rows := make(chan []string, 64)
	g.Go(func() error {
		defer close(rows)
		cr := csv.NewReader(r)
		cr.FieldsPerRecord = -1
		for {
			rec, err := cr.Read()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("import %s: %w", jobID, err)
			}
			select {
			case rows <- rec:
			case <-gctx.Done():
				return gctx.Err()
			}
		}
	})

	parsed := pipeline.Stage(gctx, g, 2, rows, func(ctx context.Context, rec []string) (Subscriber, bool, error) {
		addr, err := mail.ParseAddress(strings.TrimSpace(rec[0]))
		if err != nil {
			skipped.Add(1)
			return Subscriber{}, false, nil
		}
		sub := Subscriber{Email: addr.Address, Status: Active, Source: "import:" + jobID, Lists: []string{listID}}
		if len(rec) > 1 {
			sub.Name = strings.TrimSpace(rec[1])
		}
		if len(rec) > 2 && rec[2] != "" {
			sub.Tags = strings.Split(rec[2], ";")
		}
		sub.CreatedAt = time.Now().UTC()
		return sub, true, nil
	})

	g.Go(func() error {
		return pipeline.Pool(gctx, workers, parsed, func(ctx context.Context, sub Subscriber) error {
			hash := EmailHash(sub.Email)
			raw, _ := json.Marshal(sub)
			if err := st.Put(ctx, keys.Build(keys.Subscriber, hash), raw, kvstore.PutOptions{Metadata: sub.metadata()}); err != nil {
				return err
			}
			if err := s.addMember(ctx, st, listID, hash); err != nil { // EXPECT kvhotkey
				return err
			}
			imported.Add(1)
			p, _ := json.Marshal(progress{Job: jobID, State: "running", LastEmail: sub.Email, UpdatedAt: time.Now().UTC()})
			return s.base.Put(ctx, progressKey, p, kvstore.PutOptions{TTL: keys.TTL(keys.ImportProgress)}) // EXPECT kvhotkey
		})
	})

	err := g.Wait()
	res := ImportResult{Job: jobID, Imported: imported.Load(), Skipped: skipped.Load(), Finished: time.Now().UTC()}
	done, _ := json.Marshal(progress{Job: jobID, State: stateOf(err), UpdatedAt: res.Finished})
	if perr := s.base.Put(ctx, progressKey, done, kvstore.PutOptions{TTL: keys.TTL(keys.ImportProgress)}); perr != nil {
		s.log.Warn("import: final progress", "job", jobID, "err", perr)
	}
	return res, err
}

func stateOf(err error) string {
	if err != nil {
		return "failed"
	}
	return "done"
}
