// Package ghapp receives the GitHub App's webhooks and keeps the app's
// installation tokens.
package ghapp

// Repository is the subset of a repository object the service reads.
type Repository struct {
	ID            int64  `json:"id"`
	FullName      string `json:"full_name"`
	DefaultBranch string `json:"default_branch"`
}

// Installation identifies the app installation an event belongs to.
type Installation struct {
	ID int64 `json:"id"`
}

// PushEvent is the payload of "push".
type PushEvent struct {
	Ref          string       `json:"ref"`
	After        string       `json:"after"`
	Deleted      bool         `json:"deleted"`
	Commits      []Commit     `json:"commits"`
	Repository   Repository   `json:"repository"`
	Installation Installation `json:"installation"`
}

// Commit is one commit of a push.
type Commit struct {
	ID      string `json:"id"`
	Message string `json:"message"`
}

// PullRequestEvent is the payload of "pull_request".
type PullRequestEvent struct {
	Action       string       `json:"action"`
	Number       int          `json:"number"`
	PullRequest  PullRequest  `json:"pull_request"`
	Repository   Repository   `json:"repository"`
	Installation Installation `json:"installation"`
}

// PullRequest is the pull request object of a pull_request event.
type PullRequest struct {
	Head  Branch `json:"head"`
	Base  Branch `json:"base"`
	Draft bool   `json:"draft"`
}

// Branch is one side of a pull request.
type Branch struct {
	Ref string `json:"ref"`
	SHA string `json:"sha"`
}

// CheckRunEvent is the payload of "check_run".
type CheckRunEvent struct {
	Action       string       `json:"action"`
	CheckRun     CheckRun     `json:"check_run"`
	Repository   Repository   `json:"repository"`
	Installation Installation `json:"installation"`
}

// CheckRun is the check run object of a check_run event.
type CheckRun struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	HeadSHA string `json:"head_sha"`
	Status  string `json:"status"`
}

// InstallationEvent is the payload of "installation".
type InstallationEvent struct {
	Action       string       `json:"action"`
	Installation Installation `json:"installation"`
	Repositories []Repository `json:"repositories"`
}
