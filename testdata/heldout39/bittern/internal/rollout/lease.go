package rollout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"path"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
)

// lease takes the controller lease on a rollout so that only one controller
// moves it between stages. The returned function gives the lease back.
func (s *Service) lease(ctx context.Context, tenant, fw string) (func(), error) {
	key := path.Join("lease", tenant, fw)
	holder, err := s.kv.get(ctx, key)
	if err == nil && string(holder) != s.id {
		return nil, &BusyError{Key: key, Holder: string(holder)}
	}
	var missing *MissingError
	if err != nil && !errors.As(err, &missing) {
		return nil, err
	}
	err = s.kv.bulk(ctx, kv.NamespaceBulkUpdateParamsBody{ // EXPECT kvrace
		Key:        cloudflare.F(key),
		Value:      cloudflare.F(s.id),
		Expiration: cloudflare.F(float64(time.Now().Add(30 * time.Second).Unix())), // EXPECT kvttl
	})
	if err != nil {
		return nil, fmt.Errorf("lease %s: %w", key, err)
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := s.kv.delete(ctx, key); err != nil {
			log.Printf("release %s: %v", key, err)
		}
	}, nil
}

// Promote moves a rollout to its next stage if it is healthy.
func (s *Service) Promote(ctx context.Context, tenant, fw string, maxFailureRate float64) (Stage, error) {
	release, err := s.lease(ctx, tenant, fw)
	if err != nil {
		return 0, err
	}
	defer release()

	key := stateKey(tenant, fw)
	st, err := s.load(ctx, key)
	if err != nil {
		return 0, fmt.Errorf("promote %s: %w", fw, err)
	}
	total := len(st.Completed) + len(st.Failed)
	if total > 0 && float64(len(st.Failed))/float64(total) > maxFailureRate {
		return st.Stage, fmt.Errorf("promote %s: failure rate above %.1f%%", fw, 100*maxFailureRate)
	}
	next := st.Stage
	switch st.Stage {
	case StageCanary:
		next = StageEarly
	case StageEarly:
		next = StageBroad
	case StageBroad:
		next = StageDone
	}
	b, _ := stateWithStage(st, next)
	return next, s.kv.update(ctx, key, b, map[string]any{"stage": next}) // EXPECT kvrace
}

func stateWithStage(st State, stage Stage) ([]byte, error) {
	st.Stage = stage
	st.UpdatedAt = time.Now().UTC()
	return json.Marshal(st)
}

// Downloaded notes one firmware download served by this instance.
func (s *Service) Downloaded(fw string) {
	s.mu.Lock()
	s.downloads[fw]++
	s.mu.Unlock()
}

// FlushDownloads publishes the download totals for the release dashboard.
func (s *Service) FlushDownloads(ctx context.Context) error {
	s.mu.Lock()
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(s.downloads))
	for fw, n := range s.downloads {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F("downloads/" + fw + "/hits"),
			Value: cloudflare.F(strconv.FormatInt(n, 10)),
		})
	}
	s.mu.Unlock()
	if len(body) == 0 {
		return nil
	}
	return s.kv.bulk(ctx, body...) // EXPECT kvcounter
}
