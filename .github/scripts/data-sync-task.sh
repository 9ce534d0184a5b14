#!/usr/bin/env bash
# The data syncs of the env-sync workflow (.github/workflows/env-sync.yml), run inside AWS:
#   data-sync-task.sh export   STACK, EXPORT_TYPE (subset | schema), RUN_ID (<run id>-<attempt>)
#   data-sync-task.sh import   STACK, SOURCE, LOCATION (the export's s3:// folder), RUN_ID,
#                              SOURCE_ACCOUNT (the source's account, when another than STACK's)
#   data-sync-task.sh restart  STACK: a new deployment of its service, waited for
#   data-sync-task.sh stop     REGION, CLUSTER, TASK_ARN: the task of a cancelled run
# export and import start the stack's one-off data-sync task (aws ecs run-task) with the db
# tool's arguments, follow it with describe-tasks until it stops (within a bound), print its log
# and fail unless the tool exited 0 (1: verification failed, 2: refused). An AWS error while
# following it (access denied, an expired session) ends the step with that error at once. Every AWS value comes from the stack's outputs
# (pulumi stack output, never --show-secrets: secret outputs read "[secret]" and none is used)
# and is checked before it becomes an argument. No secret is ever an argument: the task reads
# DATABASE_URL and DATA_SYNC_KEY from Secrets Manager itself.
# shellcheck disable=SC2153 # STACK, SOURCE, LOCATION, TASK_ARN, ... are the step's environment.
set -euo pipefail
export AWS_PAGER=""

# The task is looked at every 15 s for at most 30 minutes, and the service waited for in two
# rounds of `aws ecs wait services-stable` (each gives up after 40 looks 15 s apart, about 10
# minutes), so that the export, or the import and the restart, end within the hour the OIDC
# role session lasts. DATA_SYNC_TEST_POLLS (tests only) sets the number of looks.
readonly poll_seconds=15
readonly task_wait_minutes=30
readonly task_polls=${DATA_SYNC_TEST_POLLS:-$((task_wait_minutes * 60 / poll_seconds))}
readonly service_wait_rounds=2 # 20 minutes
# Each describe-tasks call is bounded too, so a hung connection cannot stretch the wait.
readonly cli_timeouts=(--cli-connect-timeout 10 --cli-read-timeout 30)
# At most this many pages of the task's log are printed (get-log-events: 1 MB or 10,000 events each).
readonly log_pages=5
# infra/dataSync.ts: the container's name, which is also its awslogs stream prefix.
readonly container=data-sync
# packages/stack-files/src/stackName.ts: what a stack name may be (also safe inside the patterns below).
readonly stack_name='^[a-z][a-z0-9-]{0,19}$'
readonly task_arn_pattern='^arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:task/[A-Za-z0-9_-]+/[A-Za-z0-9-]+$'

# What the stack's outputs give, set by read_task_outputs (and restart_service), the task started
# and its last description.
outputs="" region="" cluster="" service="" task_definition="" network="" task_arn="" location="" log_group="" described=""
# The outputs the data sync reads, as read_outputs gives them.
declare -A output_text=()

fail() {
  echo "::error::$*"
  exit 1
}

# read_outputs: the stack's outputs and, from one jq call (a jq start costs more than the rest of
# the check), the ones the data sync reads: a string as it is, dataSyncSubnetIds as its JSON when
# it is a non-empty list of subnet ids, dataSyncAssignPublicIp as ENABLED or DISABLED; "" for any
# other value. @sh quotes each for the array assignment, the way jq's manual gives values to a shell.
read_outputs() {
  local quoted values i
  local -r names=(region clusterName serviceName dataSyncTaskDefinitionArn dataSyncSecurityGroupId dataSyncSubnetIds dataSyncAssignPublicIp
    dataSyncLogGroupName dataSyncExportsBucket)
  outputs=$(pulumi stack output --json --stack "$STACK")
  quoted=$(jq -r '[$ARGS.positional[] as $name | .[$name]
    | if $name == "dataSyncSubnetIds" then
        if type == "array" and length > 0 and all(.[]; type == "string" and test("^subnet-[0-9a-f]{8,17}$")) then tojson else "" end
      elif $name == "dataSyncAssignPublicIp" then
        if . == true then "ENABLED" elif . == false then "DISABLED" else "" end
      elif type == "string" then . else "" end] | @sh' --args "${names[@]}" <<<"$outputs")
  eval "values=($quoted)"
  for i in "${!names[@]}"; do output_text[${names[i]}]=${values[i]}; done
}

# output NAME PATTERN VARIABLE WHAT: the stack output NAME (one read_outputs reads), a string matching PATTERN, into VARIABLE.
output() {
  local value=${output_text[$1]-} shown
  if [[ ! "$value" =~ $2 ]]; then
    shown=$(jq -c --arg name "$1" '.[$name]' <<<"$outputs")
    fail "$STACK: its stack output $1 is $shown; the data sync needs $4"
  fi
  printf -v "$3" '%s' "$value"
}

# The stack's outputs the task needs: region, cluster, task definition, network configuration.
read_task_outputs() {
  local subnets security_group public
  read_outputs
  output region '^[a-z]{2}(-[a-z]+)+-[0-9]+$' region "its AWS region"
  output clusterName '^[A-Za-z0-9_-]{1,255}$' cluster "its ECS cluster"
  output dataSyncTaskDefinitionArn "^arn:aws[a-z-]*:ecs:$region:[0-9]{12}:task-definition/[A-Za-z0-9_-]{1,255}:[0-9]+\$" task_definition \
    "its data-sync task (set trading-bot:dataSync in Pulumi.$STACK.yaml, then pulumi up)"
  output dataSyncSecurityGroupId '^sg-[0-9a-f]{8,17}$' security_group "the task's security group"
  subnets=${output_text[dataSyncSubnetIds]}
  [[ -n "$subnets" ]] || fail "$STACK: its stack output dataSyncSubnetIds is not a list of subnet ids; the data sync needs the task's subnets"
  public=${output_text[dataSyncAssignPublicIp]}
  [[ -n "$public" ]] || fail "$STACK: its stack output dataSyncAssignPublicIp is not true or false; the data sync needs it"
  network=$(jq -nc --argjson subnets "$subnets" --arg group "$security_group" --arg public "$public" \
    '{awsvpcConfiguration: {subnets: $subnets, securityGroups: [$group], assignPublicIp: $public}}')
  # Optional: a stack updated before this output existed still syncs, its log is only pointed at.
  log_group=${output_text[dataSyncLogGroupName]}
  [[ "$log_group" =~ ^/ecs/[A-Za-z0-9_.#/-]{1,500}$ ]] || log_group=""
}

# one_line FILE: the file's text on one line, for an ::error:: annotation.
one_line() {
  tr -s '\r\n' ' ' <"$1" | sed -e 's/^ *//' -e 's/ *$//'
}

# wait_rounds ROUNDS COMMAND...: an `aws ecs wait` command again until it succeeds, at most
# ROUNDS times. 0: done; 1: it failed otherwise than by giving up (e.g. access denied); 2: gave
# up. A waiter exits 255 both when it gives up and when a call fails: only its "Max attempts
# exceeded" means not yet.
wait_rounds() {
  local rounds=$1 round status errors
  shift
  errors=$(mktemp)
  for ((round = 1; round <= rounds; round++)); do
    status=0
    "$@" 2>"$errors" || status=$?
    if ((status == 0)); then return 0; fi
    if ((status != 255)) || ! grep -q "Max attempts exceeded" "$errors"; then
      echo "::error::$1 $2 $3 $4 failed (exit $status): $(one_line "$errors")"
      return 1
    fi
    echo "$4: not yet, after $((round * 10)) minutes"
  done
  return 2
}

# run_task ARGUMENTS: the data-sync task with the db tool's ARGUMENTS (a JSON array), to its end.
run_task() {
  local overrides started failures waited=0
  overrides=$(jq -nc --arg name "$container" --argjson command "$1" '{containerOverrides: [{name: $name, command: $command}]}')
  started=$(aws ecs run-task --region "$region" --cluster "$cluster" --task-definition "$task_definition" \
    --launch-type FARGATE --count 1 --started-by "env-sync-$RUN_ID" \
    --network-configuration "$network" --overrides "$overrides" --output json)
  task_arn=$(jq -r 'if (.tasks | length) == 1 then .tasks[0].taskArn else "" end' <<<"$started")
  if [[ ! "$task_arn" =~ $task_arn_pattern ]]; then
    failures=$(jq -c '.failures // []' <<<"$started")
    fail "$action in $STACK: ECS started no data-sync task: $failures"
  fi
  # For the step that stops the task when the run is cancelled.
  {
    echo "task-arn=$task_arn"
    echo "cluster=$cluster"
    echo "region=$region"
  } >>"$GITHUB_OUTPUT"
  echo "$action in $STACK: started $task_arn"
  follow_task || waited=$?
  if ((waited == 2)); then
    aws ecs stop-task --region "$region" --cluster "$cluster" --task "$task_arn" \
      --reason "env-sync: not stopped within $task_wait_minutes minutes" --query task.lastStatus --output text ||
      echo "::warning::could not stop $task_arn: stop it by hand"
    print_log
    fail "$action in $STACK: $task_arn did not stop within $task_wait_minutes minutes; stopped it. $(log_hint)"
  fi
  print_log
  check_exit_code
}

# Looks at the task every poll_seconds until it has stopped (0), for at most task_polls looks
# (2: still running). An AWS error ends the step at once with the CLI's exit status: the task is
# left as it is (it may be working fine), and the message says how to follow or stop it.
follow_task() {
  local look status errors last=""
  errors=$(mktemp)
  for ((look = 1; look <= task_polls; look++)); do
    status=0
    described=$(aws ecs describe-tasks --region "$region" --cluster "$cluster" --tasks "$task_arn" "${cli_timeouts[@]}" --output json 2>"$errors") || status=$?
    if ((status != 0)); then
      echo "::error::aws ecs describe-tasks failed (exit $status): $(one_line "$errors")"
      echo "::error::$action in $STACK: could not follow $task_arn, which may still be running: aws ecs describe-tasks --region $region --cluster $cluster --tasks $task_arn (aws ecs stop-task to stop it)"
      exit "$status"
    fi
    last=$(jq -r '.tasks[0].lastStatus // "MISSING"' <<<"$described")
    if [[ "$last" == STOPPED ]]; then return 0; fi
    # A task ECS no longer knows is not running either: check_exit_code says so.
    if [[ "$last" == MISSING ]]; then return 0; fi
    if ((look % 8 == 0)); then echo "$action in $STACK: $last after $((look * poll_seconds / 60)) minutes"; fi
    if ((look < task_polls)); then sleep "$poll_seconds"; fi
  done
  return 2
}

# Where the task's log is: the stream is <prefix>/<container>/<task id>, the prefix the container's name.
log_hint() {
  local family=${task_definition##*/}
  echo "Its log: the stream $(log_stream) of the log group ${log_group:-/ecs/${family%:*}/...}"
}

log_stream() {
  echo "$container/$container/${task_arn##*/}"
}

# The task's log, in a group of the job's log; a log that cannot be read is a warning, not a failure.
print_log() {
  local page token="" next events
  if [[ -z "$log_group" ]]; then
    echo "::warning::$STACK has no dataSyncLogGroupName output (pulumi up with this version adds it): the task's log is not printed. $(log_hint)"
    return 0
  fi
  echo "::group::The data-sync task's log: $log_group $(log_stream)"
  for ((page = 1; page <= log_pages; page++)); do
    events=$(aws logs get-log-events --region "$region" --log-group-name "$log_group" --log-stream-name "$(log_stream)" \
      --start-from-head ${token:+--next-token "$token"} --output json) || {
      echo "::endgroup::"
      echo "::warning::could not read the task's log (logs:GetLogEvents on $log_group; a task that never ran has none). $(log_hint)"
      return 0
    }
    jq -r '.events[].message' <<<"$events"
    next=$(jq -r '.nextForwardToken // ""' <<<"$events")
    # The same token twice: the end of the stream.
    if [[ -z "$next" || "$next" == "$token" ]]; then break; fi
    token=$next
  done
  echo "::endgroup::"
}

# Fails unless the data-sync container exited 0, saying why the task stopped and where its log is.
check_exit_code() {
  local exit_code stopped meaning hint
  exit_code=$(jq -r --arg name "$container" '[.tasks[0].containers[]? | select(.name == $name) | .exitCode | numbers][0] // "none"' <<<"$described")
  if [[ "$exit_code" == 0 ]]; then
    echo "$action in $STACK: done (the db tool exited 0)"
    return 0
  fi
  stopped=$(jq -r --arg name "$container" \
    '[.tasks[0].stopCode // "no stop code", .tasks[0].stoppedReason // "no reason given", ([.tasks[0].containers[]? | select(.name == $name) | .reason | strings][0] // empty)] | join(": ") | gsub("[\r\n]+"; " ")' \
    <<<"$described")
  case "$exit_code" in
    1) meaning="the verification failed" ;;
    2) meaning="the db tool refused" ;;
    3) meaning="the db tool failed while working (a connection, a file, S3)" ;;
    143) meaning="the db tool was stopped (SIGTERM) before it committed; an export leaves no manifest" ;;
    none) meaning="the container never ran to an exit code" ;;
    *) meaning="the db tool failed" ;;
  esac
  hint=$(log_hint)
  fail "$action in $STACK failed: exit code $exit_code, $meaning. The task stopped: $stopped. $hint"
}

export_data() {
  local bucket command
  [[ "$EXPORT_TYPE" == subset || "$EXPORT_TYPE" == schema ]] || fail "EXPORT_TYPE must be subset or schema"
  read_task_outputs
  output dataSyncExportsBucket "^trading-bot-data-[0-9]{12}-$STACK\$" bucket "its exports bucket (trading-bot:dataSync.export: true, then pulumi up)"
  location="s3://$bucket/exports/$RUN_ID/"
  command=$(jq -nc --arg type "$EXPORT_TYPE" --arg stack "$STACK" --arg out "$location" \
    '["export", "--type", $type, "--from-env", "DATABASE_URL", "--from-stack", $stack, "--out", $out, "--yes"]')
  run_task "$command"
  echo "location=$location" >>"$GITHUB_OUTPUT"
}

import_data() {
  local export_account task_account expected_account command
  [[ "$SOURCE" =~ $stack_name ]] || fail "SOURCE is not a stack name"
  # The source's account as the target's file names it (trading-bot:dataSync.sources), or empty: the target's own.
  [[ -z "${SOURCE_ACCOUNT:-}" || "$SOURCE_ACCOUNT" =~ ^[0-9]{12}$ ]] || fail "SOURCE_ACCOUNT is not a 12-digit AWS account id"
  # Only a folder the export job wrote: the source's exports bucket (infra/dataSync.ts names it), exports/<run>-<attempt>/.
  [[ "$LOCATION" =~ ^s3://trading-bot-data-([0-9]{12})-$SOURCE/exports/[0-9]+-[0-9]+/$ ]] ||
    fail "LOCATION is not an export of $SOURCE: s3://trading-bot-data-<account>-$SOURCE/exports/<run>-<attempt>/"
  export_account=${BASH_REMATCH[1]}
  read_task_outputs
  IFS=: read -r _ _ _ _ task_account _ <<<"$task_definition"
  expected_account=${SOURCE_ACCOUNT:-$task_account}
  [[ "$export_account" == "$expected_account" ]] ||
    fail "the export is in the account $export_account, and $STACK imports $SOURCE from $expected_account (trading-bot:dataSync.sources of Pulumi.$STACK.yaml; the task's ExpectedBucketOwner)"
  command=$(jq -nc --arg in "$LOCATION" --arg stack "$STACK" '["import", "--in", $in, "--to-env", "DATABASE_URL", "--to-stack", $stack]')
  run_task "$command"
}

# The article's "restart target services": a new deployment, so the app reads the new data.
restart_service() {
  local deployment waited=0 events
  read_outputs
  output region '^[a-z]{2}(-[a-z]+)+-[0-9]+$' region "its AWS region"
  output clusterName '^[A-Za-z0-9_-]{1,255}$' cluster "its ECS cluster"
  output serviceName '^[A-Za-z0-9_-]{1,255}$' service "its ECS service"
  deployment=$(aws ecs update-service --region "$region" --cluster "$cluster" --service "$service" --force-new-deployment \
    --query "service.deployments[?status=='PRIMARY'].id | [0]" --output text)
  echo "restart in $STACK: $service redeploys ($deployment)"
  wait_rounds "$service_wait_rounds" aws ecs wait services-stable --region "$region" --cluster "$cluster" --services "$service" || waited=$?
  if ((waited == 1)); then fail "restart in $STACK: could not follow the deployment of $service (the data is imported)"; fi
  if ((waited != 0)); then
    events=$(aws ecs describe-services --region "$region" --cluster "$cluster" --services "$service" \
      --query 'services[0].events[:5].message' --output json | jq -r 'join(" | ") | gsub("[\r\n]+"; " ")') ||
      events="(could not read them)"
    fail "restart in $STACK: $service is not stable after $((service_wait_rounds * 10)) minutes (the data is imported). Its latest events: $events"
  fi
  echo "restart in $STACK: $service is stable"
}

stop_task() {
  [[ "$TASK_ARN" =~ $task_arn_pattern ]] || fail "TASK_ARN is not an ECS task ARN"
  [[ "$REGION" =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ && "$CLUSTER" =~ ^[A-Za-z0-9_-]{1,255}$ ]] || fail "REGION or CLUSTER is not what run-task used"
  aws ecs stop-task --region "$REGION" --cluster "$CLUSTER" --task "$TASK_ARN" --reason "env-sync: the workflow run was cancelled" \
    --query task.lastStatus --output text
}

action=${1:-}
case "$action" in
  export | import | restart)
    [[ "${STACK:-}" =~ $stack_name ]] || fail "STACK is not a stack name"
    # Short enough for run-task's --started-by (36 characters at most), with its env-sync- prefix.
    [[ "$action" == restart || "${RUN_ID:-}" =~ ^[0-9]{1,20}-[0-9]{1,5}$ ]] || fail "RUN_ID must be <run id>-<attempt>"
    ;;
esac
case "$action" in
  export) export_data ;;
  import) import_data ;;
  restart) restart_service ;;
  stop) stop_task ;;
  *)
    echo "usage: data-sync-task.sh export | import | restart | stop (settings in the environment)" >&2
    exit 2
    ;;
esac
