// Package admission serves the Kubernetes validating and mutating admission
// webhooks that enforce build-cluster policies kept in KV.
package admission

import "encoding/json"

// AdmissionReview is admission.k8s.io/v1 AdmissionReview.
type AdmissionReview struct {
	APIVersion string             `json:"apiVersion"`
	Kind       string             `json:"kind"`
	Request    *AdmissionRequest  `json:"request,omitempty"`
	Response   *AdmissionResponse `json:"response,omitempty"`
}

// GroupVersionKind names the kind of the object under review.
type GroupVersionKind struct {
	Group   string `json:"group"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
}

// UserInfo is the requesting user.
type UserInfo struct {
	Username string   `json:"username"`
	Groups   []string `json:"groups,omitempty"`
}

// AdmissionRequest is the request half of a review.
type AdmissionRequest struct {
	UID       string           `json:"uid"`
	Kind      GroupVersionKind `json:"kind"`
	Name      string           `json:"name,omitempty"`
	Namespace string           `json:"namespace,omitempty"`
	Operation string           `json:"operation"`
	UserInfo  UserInfo         `json:"userInfo"`
	Object    json.RawMessage  `json:"object,omitempty"`
}

// Status carries the reason for a denial.
type Status struct {
	Code    int32  `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

// AdmissionResponse is the response half of a review.
type AdmissionResponse struct {
	UID       string   `json:"uid"`
	Allowed   bool     `json:"allowed"`
	Result    *Status  `json:"status,omitempty"`
	Patch     []byte   `json:"patch,omitempty"`
	PatchType *string  `json:"patchType,omitempty"`
	Warnings  []string `json:"warnings,omitempty"`
}

// PatchOp is one RFC 6902 operation.
type PatchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

// Pod is the subset of a Pod the policies look at.
type Pod struct {
	Metadata struct {
		Name        string            `json:"name"`
		Labels      map[string]string `json:"labels,omitempty"`
		Annotations map[string]string `json:"annotations,omitempty"`
	} `json:"metadata"`
	Spec struct {
		Containers     []Container `json:"containers"`
		InitContainers []Container `json:"initContainers,omitempty"`
	} `json:"spec"`
}

// Container is one container of a Pod.
type Container struct {
	Name  string `json:"name"`
	Image string `json:"image"`
}

// Policy is what the webhooks enforce for one namespace.
type Policy struct {
	AllowedRegistries []string          `json:"allowed_registries"`
	RequiredLabels    map[string]string `json:"required_labels,omitempty"`
	DenyPrivileged    bool              `json:"deny_privileged"`
}

// Exemption lets one workload through a namespace's policy.
type Exemption struct {
	Reason    string `json:"reason"`
	GrantedBy string `json:"granted_by"`
	Until     int64  `json:"until"`
}
