package jira

// projectMeta is what setbot learned about the project at start-up.
type projectMeta struct {
	issueTypes  map[string]issueTypeMeta // by configured issue type name
	uploadLimit int64                    // bytes; 0 when attachments are off
	attachments bool
}

// issueTypeMeta is one issue type's create screen.
type issueTypeMeta struct {
	id     string
	fields map[string]bool // field ids on the create screen
}
