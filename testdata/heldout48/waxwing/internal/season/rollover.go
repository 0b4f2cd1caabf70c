// Package season closes a competitive season and opens the next one: it
// archives the final leaderboards, seeds the reward slots and moves the
// current-season pointer.
package season

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/shared"
	"golang.org/x/sync/errgroup"

	"github.com/lanternforge/waxwing/internal/keys"
	"github.com/lanternforge/waxwing/internal/kvstore"
	"github.com/lanternforge/waxwing/internal/leaderboard"
)

var currentKey = keys.Seasons.Child("current").String()

// rewardSlots is how many ranks earn an end-of-season reward.
const rewardSlots = 12500

// bulkGetMax is the bulk read endpoint's limit on keys per request.
const bulkGetMax = 100

// Modes are the ranked game modes.
var Modes = []string{"duel", "squad", "ctf", "koth"}

// Season is the record under season:current.
type Season struct {
	Number    int       `json:"number"`
	StartedAt time.Time `json:"started_at"`
	EndsAt    time.Time `json:"ends_at"`
}

type Rollover struct {
	kv     *kvstore.Logged
	board  *leaderboard.Service
	length time.Duration
	log    *slog.Logger
}

func NewRollover(l *kvstore.Logged, board *leaderboard.Service, length time.Duration, log *slog.Logger) *Rollover {
	return &Rollover{kv: l, board: board, length: length, log: log}
}

// Run rolls the season over if it has ended. It is safe to run from several
// schedulers: only the holder of the rollover lock does the work, and a
// finished rollover is recorded per season.
func (j *Rollover) Run(ctx context.Context) error {
	lock := kvstore.NewLock(j.kv, "season-rollover", 45*time.Second) // EXPECT kvttl
	if err := lock.Acquire(ctx); err != nil {
		return err
	}
	cur, err := j.current(ctx)
	if err != nil || time.Now().Before(cur.EndsAt) {
		return errors.Join(err, lock.Release(ctx))
	}
	runKey := keys.Jobs.Child("rollover").Int(cur.Number).String()
	if _, err := j.kv.Get(ctx, runKey); err == nil {
		return lock.Release(ctx)
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	steps := []func(context.Context, Season) error{j.finalBoards, j.archive, j.seedRewards, j.purgeShards}
	for i, step := range steps {
		if err := step(ctx, cur); err != nil {
			return fmt.Errorf("rollover step %d: %w", i, err)
		}
		if err := lock.Renew(ctx); err != nil {
			return err
		}
	}
	next := Season{Number: cur.Number + 1, StartedAt: cur.EndsAt, EndsAt: cur.EndsAt.Add(j.length)}
	body, _ := json.Marshal(next)
	if err := j.kv.Put(ctx, currentKey, body, 0); err != nil { // DEBATABLE kvrace
		return err
	}
	if err := j.kv.Put(ctx, runKey, []byte(time.Now().UTC().Format(time.RFC3339)), 90*24*time.Hour); err != nil { // DEBATABLE kvrace
		return err
	}
	if err := j.Announce(ctx, next, fmt.Sprintf("Season %d", next.Number)); err != nil {
		j.log.WarnContext(ctx, "season banner", "err", err)
	}
	j.log.InfoContext(ctx, "season rolled over", "from", cur.Number, "to", next.Number)
	return lock.Release(ctx)
}

func (j *Rollover) finalBoards(ctx context.Context, cur Season) error {
	return j.board.Rebuild(ctx, cur.Number, Modes)
}

func (j *Rollover) current(ctx context.Context) (Season, error) {
	var s Season
	raw, err := j.kv.Get(ctx, currentKey) // EXPECT kvnull
	if err != nil {
		now := time.Now().UTC()
		s = Season{Number: 1, StartedAt: now, EndsAt: now.Add(j.length)}
		body, _ := json.Marshal(s)
		return s, j.kv.Put(ctx, currentKey, body, 0)
	}
	return s, json.Unmarshal(raw, &s)
}

// archive copies every leaderboard key of the season under season:<n>:archive.
func (j *Rollover) archive(ctx context.Context, cur Season) error {
	c := j.kv.Client()
	iter := c.API().Keys.ListAutoPaging(ctx, c.Namespace(), kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(c.AccountID()),
		Prefix:    cloudflare.F(keys.SeasonBoard(cur.Number).Prefix()),
	})
	var names []string
	for iter.Next() {
		names = append(names, iter.Current().Name)
	}
	if err := iter.Err(); err != nil {
		return err
	}
	archive := keys.Seasons.Int(cur.Number).Child("archive")
	chunks := make([][]kv.NamespaceBulkUpdateParamsBody, (len(names)+bulkGetMax-1)/bulkGetMax)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i := range chunks {
		g.Go(func() error {
			res, err := c.API().BulkGet(gctx, c.Namespace(), kv.NamespaceBulkGetParams{
				AccountID: cloudflare.F(c.AccountID()),
				Keys:      cloudflare.F(names[i*bulkGetMax : min((i+1)*bulkGetMax, len(names))]),
				Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
			})
			if err != nil {
				return err
			}
			values, _ := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
			for name, v := range values.Values {
				if text, ok := v.(shared.UnionString); ok {
					chunks[i] = append(chunks[i], kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(archive.With(name).String()), Value: cloudflare.F(string(text))})
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	progressKey := keys.Seasons.Child("rollover-progress").String()
	for i, chunk := range chunks {
		if err := j.kv.PutMany(ctx, chunk); err != nil {
			return err
		}
		status := strconv.Itoa(i+1) + "/" + strconv.Itoa(len(chunks))
		if err := j.kv.Put(ctx, progressKey, []byte(status), 6*time.Hour); err != nil { // EXPECT kvhotkey
			j.log.WarnContext(ctx, "progress", "err", err)
		}
	}
	return nil
}

// seedRewards creates one unclaimed reward slot per rewarded rank.
func (j *Rollover) seedRewards(ctx context.Context, cur Season) error {
	c := j.kv.Client()
	base := keys.Seasons.Int(cur.Number).Child("reward")
	slots := make([]kv.NamespaceBulkUpdateParamsBody, 0, rewardSlots)
	for rank := 1; rank <= rewardSlots; rank++ {
		slots = append(slots, kv.NamespaceBulkUpdateParamsBody{
			Key:      cloudflare.F(base.Int(rank).String()),
			Value:    cloudflare.F(`{"claimed":false}`),
			Metadata: cloudflare.F[any](map[string]any{"rank": rank, "season": cur.Number}),
		})
	}
	_, err := c.API().BulkUpdate(ctx, c.Namespace(), kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.AccountID()), Body: slots}) // EXPECT kvlimits
	return err
}

// purgeShards deletes the season's live shard keys once they are archived.
func (j *Rollover) purgeShards(ctx context.Context, cur Season) error {
	c := j.kv.Client()
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.AccountID()),
		Prefix:    cloudflare.F(keys.SeasonBoard(cur.Number).Prefix()),
		Limit:     cloudflare.F(1000.0),
	}
	for page := 0; page < 50; page++ {
		res, err := c.API().Keys.List(ctx, c.Namespace(), params) // EXPECT kvlist
		if err != nil {
			return err
		}
		names := make([]string, 0, len(res.Result))
		for _, k := range res.Result {
			names = append(names, k.Name)
		}
		if err := j.kv.DeleteMany(ctx, names); err != nil {
			return err
		}
		if res.ResultInfo.Cursor == "" {
			return nil
		}
		params = kv.NamespaceKeyListParams{AccountID: cloudflare.F(c.AccountID()), Cursor: cloudflare.F(res.ResultInfo.Cursor)}
	}
	return errors.New("season: purge did not finish in 50 pages")
}

// rulesSummary is shown on the season banner; the client reads it from the
// banner key's metadata so that it can render without fetching the value.
const rulesSummary = "Ranked play is open to accounts level 15 and above. " +
	"Each win in Duel, Squad, Capture the Flag and King of the Hill awards 25 points; " +
	"losses do not cost points during the first ten placement matches, and cost 10 points afterwards. " +
	"Leaving a match before it ends counts as a loss and adds a 15 minute matchmaking cooldown, " +
	"doubling for each further early exit within 24 hours. Parties may queue together in Squad and " +
	"Capture the Flag only, and a party's rating is the highest rating among its members plus a " +
	"premium of 5% per additional member. Points decay by 2% per week for players who complete fewer " +
	"than five ranked matches in that week, starting in the third week of the season. The top 12,500 " +
	"players in each region at the end of the season receive the season badge; the top 500 also " +
	"receive the animated banner and a title. Accounts found boosting, win-trading or using " +
	"third-party software lose all season rewards and are removed from the leaderboard. Rewards are " +
	"granted within 72 hours of the season ending and can be claimed from the profile screen."

type banner struct {
	Season  int       `json:"season"`
	Title   string    `json:"title"`
	Rules   string    `json:"rules"`
	Started time.Time `json:"started"`
}

// Announce publishes the banner of a season; it disappears when the season
// ends.
func (j *Rollover) Announce(ctx context.Context, s Season, title string) error {
	c := j.kv.Client()
	body, _ := json.Marshal(banner{Season: s.Number, Title: title, Started: s.StartedAt})
	_, err := c.API().Values.Update(ctx, c.Namespace(), keys.Seasons.Child("banner").String(), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(c.AccountID()),
		Value:      cloudflare.F(string(body)),
		Expiration: cloudflare.F(float64(s.EndsAt.Unix())),
		Metadata:   cloudflare.F[any](map[string]any{"season": s.Number, "title": title, "rules": rulesSummary}), // EXPECT kvlimits
	})
	return err
}

// HasArchive reports whether season n has been archived.
func (j *Rollover) HasArchive(ctx context.Context, n int) (bool, error) {
	c := j.kv.Client()
	page, err := c.API().Keys.List(ctx, c.Namespace(), kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.AccountID()),
		Prefix:    cloudflare.F(keys.Seasons.Int(n).Child("archive").Prefix()),
		Limit:     cloudflare.F(1.0), // EXPECT kvlimits
	})
	if err != nil {
		return false, err
	}
	return len(page.Result) > 0, nil
}
