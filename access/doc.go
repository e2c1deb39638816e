// Package access decides which PostgreSQL data role answers a question.
//
// An access file (ACCESS_FILE) lists data roles, each a PostgreSQL login
// role with the schemas (and optionally the tables) it may read, and rules
// that map Slack channels, users and user groups to them. In a channel the
// channel's rule decides, because everything posted there must be fit for
// all its members; the asker must also be allowed that role. In a direct
// message the asker's own rule applies. The database enforces the result:
// the bot connects as the chosen role and never switches role inside a
// session, so no prompt or SQL can widen what a question may read.
package access
