//go:build js && wasm

package api

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"plover/internal/domain"
	"plover/internal/enc"
	"plover/internal/keys"
	"plover/internal/worker/buildcache"
	"plover/internal/worker/limits"
)

const (
	oauthStateTTL = 10 * time.Minute
	buildLogTTL   = 24 * time.Hour
	statsKeep     = 50
)

// ops maps the "op" field of an RPC body to its handler.
var ops = map[string]func(ctx context.Context, req *request) error{
	"runner.code":       opIssueCode,
	"runner.register":   opRegister,
	"runner.poll":       opPoll,
	"runner.deregister": opDeregister,
	"runner.revoke":     opRevoke,
	"key.create":        opCreateKey,
	"key.rotate":        opRotateKey,
	"project.claim":     opClaim,
	"project.settings":  opSettings,
	"cache.promote":     opPromote,
	"cache.merge":       opMerge,
	"build.start":       opBuildStart,
	"build.finish":      opBuildFinish,
	"build.log":         opBuildLog,
	"install.start":     opInstallStart,
	"install.callback":  opInstallCallback,
	"runner.labels":     opLabels,
	"runner.seen":       opSeen,
	"project.resolve":   opResolve,
	"project.default":   opDefaultBranch,
	"badge.branches":    opBranches,
	"badge.page":        opBadgePage,
	"cache.restore":     opRestore,
	"cache.usage":       opUsage,
	"cache.evict":       opEvict,
}

func opLabels(_ context.Context, req *request) (err error) {
	req.out["labels"], err = req.s.Runners.Labels(req.body.Token)
	return err
}

func opSeen(_ context.Context, req *request) error {
	at, ok, err := req.s.Runners.LastSeen(req.body.Token)
	if ok {
		req.out["last_seen"] = at
	}
	return err
}

func opResolve(_ context.Context, req *request) error {
	project, ok, err := req.s.Keys.ResolveSlug(req.body.Slug)
	if err != nil {
		return err
	}
	if !ok {
		return buildcache.ErrMiss
	}
	req.out["project"] = project
	return nil
}

func opDefaultBranch(_ context.Context, req *request) error {
	return req.s.Cache.SetDefaultBranch(req.body.Project, req.body.Branch)
}

func opBadgePage(_ context.Context, req *request) error {
	names, next, err := req.s.Badges.Page(req.body.Project, req.body.State)
	req.out["badges"], req.out["cursor"] = names, next
	return err
}

func opBranches(_ context.Context, req *request) (err error) {
	req.out["branches"], err = req.s.Badges.Branches(req.body.Project)
	return err
}

// opRestore looks up the requested hash and its fallbacks (carried in
// Labels). Right after an upload the runner sets Name to "fresh".
func opRestore(ctx context.Context, req *request) error {
	cks := []keys.CacheKey{{Project: req.body.Project, Hash: req.body.Hash}}
	for _, h := range req.body.Labels {
		cks = append(cks, keys.CacheKey{Project: req.body.Project, Hash: h})
	}
	found, err := req.s.Cache.Prefetch(ctx, cks)
	if err != nil {
		return err
	}
	if len(found) == 0 && req.body.Name == "fresh" {
		e, err := req.s.Cache.LookupFresh(cks[0])
		if err != nil {
			return err
		}
		found[e.Hash] = e
	}
	req.out["entries"] = found
	return nil
}

func opUsage(ctx context.Context, req *request) error {
	total, expiring, err := req.s.Cache.Usage(ctx, req.body.Project)
	if err != nil {
		return err
	}
	sizes, err := req.s.Cache.Sizes(req.body.Project, 5)
	req.out["total"], req.out["expiring"], req.out["sizes"] = total, expiring, sizes
	return err
}

func opEvict(_ context.Context, req *request) (err error) {
	req.out["evicted"], err = req.s.Cache.Evict(req.body.Project)
	return err
}

func opIssueCode(_ context.Context, req *request) error {
	code, err := req.s.Runners.IssueCode(req.body.Org, req.body.Name)
	req.out["code"] = code
	return err
}

func opRegister(ctx context.Context, req *request) error {
	token, err := req.s.Runners.Register(ctx, req.body.Code, req.body.Name, req.body.Labels)
	req.out["token"] = token
	return err
}

func opPoll(_ context.Context, req *request) error {
	run, err := req.s.Runners.Authenticate(req.body.Token)
	if err != nil {
		return err
	}
	if time.Since(run.LastSeen) > 7*24*time.Hour {
		if err := req.s.Runners.Renew(req.body.Token); err != nil {
			return err
		}
	}
	lease := keys.Key("lease:" + run.Org + ":" + run.ID)
	if err := req.s.Meta.Put(lease, req.id, 30*time.Second); err != nil { // EXPECT kvttl
		return err
	}
	req.out["runner"] = run.ID
	return nil
}

func opDeregister(_ context.Context, req *request) error {
	return req.s.Runners.Deregister(req.body.Token)
}

func opRevoke(_ context.Context, req *request) error {
	return req.s.Runners.Revoke(req.body.Token, req.body.State)
}

func opCreateKey(_ context.Context, req *request) error {
	secret, err := req.s.Keys.Create(req.body.Project, req.body.Name, req.body.Labels)
	req.out["secret"] = secret
	return err
}

func opRotateKey(ctx context.Context, req *request) error {
	secret, err := req.s.Keys.Rotate(ctx, req.body.KeyHash)
	req.out["secret"] = secret
	return err
}

func opClaim(_ context.Context, req *request) error {
	return req.s.Keys.ClaimSlug(req.body.Project, req.body.Slug)
}

// opSettings applies a partial settings update from the dashboard.
func opSettings(_ context.Context, req *request) error {
	cur, err := req.s.Keys.Settings(req.body.Project)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(req.body.Settings, &cur); err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	cur.Project = req.body.Project
	raw, err := enc.Gob(cur)
	if err != nil {
		return err
	}
	req.on(req.s.Keys.Store).Put(keys.Key(keys.ProjectSetting.With(req.body.Project)), raw, 0) // EXPECT kvrace
	req.out["settings"] = cur
	return nil
}

func opPromote(ctx context.Context, req *request) error {
	ck := keys.CacheKey{Project: req.body.Project, Hash: req.body.Hash}
	if err := req.s.Cache.Promote(ctx, ck, req.body.Branch, req.body.Name, req.body.Size, req.body.Parts); err != nil {
		return err
	}
	if req.body.PinUntil.IsZero() {
		return nil
	}
	pin := keys.Key("cache:pin:" + ck.Project + "/" + ck.Hash)
	return req.s.Cache.NS().PutString(pin.String(), req.body.Branch, &cloudflare.KVNamespacePutOptions{
		Expiration: int(req.body.PinUntil.UnixMilli()), // EXPECT kvttl
	})
}

func opMerge(ctx context.Context, req *request) error {
	return req.s.Cache.MergeManifests(ctx, req.body.Project, req.body.From, req.body.Branch)
}

func (req *request) job() limits.Job {
	return limits.Job{
		Org:      req.body.Org,
		Project:  req.body.Project,
		Build:    req.body.Build,
		Plan:     limits.Kind(req.body.Plan),
		MaxSlots: req.body.MaxSlots,
		Budget:   req.body.Budget,
		Started:  req.started,
	}
}

func opBuildStart(ctx context.Context, req *request) error {
	ok, err := req.s.Limits.Admit(ctx, req.job())
	if err != nil {
		return err
	}
	req.out["admitted"] = ok
	if !ok {
		return nil
	}
	marker := "build:running:" + req.body.Project + "/" + strconv.FormatInt(req.body.Build, 10)
	return req.s.Meta.NS().PutString(marker, enc.Stamp(req.started), &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: 45, // EXPECT kvttl
	})
}

// opBuildFinish records the result of a build: the badge is scheduled, the
// concurrency slot released and the build duration added to the stats.
func opBuildFinish(ctx context.Context, req *request) (err error) {
	st := domain.BuildStatus{
		Project:  req.body.Project,
		Branch:   req.body.Branch,
		Build:    req.body.Build,
		State:    req.body.State,
		Finished: time.Now(),
	}
	if !req.body.Started.IsZero() {
		st.Duration = st.Finished.Sub(req.body.Started)
	}
	defer func() {
		if err != nil || st.Duration <= 0 {
			return
		}
		key := keys.Key(keys.ProjectStats.With(st.Project))
		var stats domain.ProjectStats
		raw, ok, gerr := req.s.Meta.Get(key)
		if gerr != nil {
			err = gerr
			return
		}
		if ok {
			if derr := enc.UnGob(raw, &stats); derr != nil {
				err = derr
				return
			}
		}
		stats.Recent = append(stats.Recent, st.Duration)
		if len(stats.Recent) > statsKeep {
			stats.Recent = stats.Recent[len(stats.Recent)-statsKeep:]
		}
		err = req.s.Meta.Put(key, enc.Must(enc.Gob(stats)), 0) // EXPECT kvrace
	}()

	req.s.Badges.Schedule(st)
	return req.s.Limits.Done(ctx, req.job())
}

// opBuildLog appends a line to the live log tail shown while a build runs.
func opBuildLog(_ context.Context, req *request) error {
	key := keys.Key(keys.BuildLog.With(req.body.Project + "/" + strconv.FormatInt(req.body.Build, 10)))
	tail, _, err := req.s.Meta.Get(key)
	if err != nil {
		return err
	}
	return req.s.Meta.Put(key, tail+req.body.Line+"\n", buildLogTTL) // EXPECT kvrace
}

type oauthState struct {
	Org      string    `json:"org"`
	Redirect string    `json:"redirect"`
	Created  time.Time `json:"created"`
}

// opInstallStart begins the GitHub App installation flow.
func opInstallStart(_ context.Context, req *request) error {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	state := base64.RawURLEncoding.EncodeToString(b)
	raw, err := json.Marshal(oauthState{Org: req.body.Org, Redirect: req.body.Name, Created: time.Now()})
	if err != nil {
		return err
	}
	if err := req.s.Auth.PutUntil(keys.Key(keys.OAuthState.With(state)), string(raw), time.Now().Add(oauthStateTTL)); err != nil {
		return err
	}
	req.out["state"] = state
	return nil
}

// opInstallCallback completes the installation flow started by
// opInstallStart.
func opInstallCallback(_ context.Context, req *request) error {
	key := keys.OAuthState.With(req.body.State)
	raw, err := req.s.Auth.NS().GetString(key, nil) // EXPECT kvnull
	if err != nil {
		return err
	}
	var st oauthState
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return errors.New("install: invalid state")
	}
	if st.Org != req.body.Org {
		return errors.New("install: state belongs to another organisation")
	}
	if err := req.s.Auth.Delete(keys.Key(key)); err != nil { // EXPECT kvsession
		return err
	}
	req.out["redirect"] = st.Redirect
	return nil
}
