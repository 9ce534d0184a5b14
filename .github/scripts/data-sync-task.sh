#!/usr/bin/env bash
# The data syncs of the env-sync workflow (.github/workflows/env-sync.yml), run inside AWS:
#   data-sync-task.sh export   STACK, EXPORT_TYPE (subset | schema), RUN_ID (<run id>-<attempt>)
#   data-sync-task.sh import   STACK, SOURCE, LOCATION (the export's s3:// folder), RUN_ID,
#                              SOURCE_ACCOUNT (the source's account, when another than STACK's)
#   data-sync-task.sh restart  STACK: a new deployment of its service, waited for
#   data-sync-task.sh stop     REGION, CLUSTER, TASK_ARN: the task of a cancelled run
# export and import start the stack's one-off data-sync task (aws ecs run-task) with the db
# tool's arguments, wait for it to stop within a bound and fail unless the tool exited 0
# (1: verification failed, 2: refused). Every AWS value comes from the stack's outputs
# (pulumi stack output, never --show-secrets: secret outputs read "[secret]" and none is used)
# and is checked before it becomes an argument. No secret is ever an argument: the task reads
# DATABASE_URL and DATA_SYNC_KEY from Secrets Manager itself.
# shellcheck disable=SC2153 # STACK, SOURCE, LOCATION, TASK_ARN, ... are the step's environment.
set -euo pipefail
export AWS_PAGER=""

# `aws ecs wait` gives up after about 10 minutes with exit 255 (tasks-stopped: 100 polls 6 s
# apart; services-stable: 40 polls 15 s apart). Rounds of it, bounded so that the export, or
# the import and the restart, end within the hour the OIDC role session lasts.
readonly task_wait_rounds=3    # 30 minutes
readonly service_wait_rounds=2 # 20 minutes
# infra/dataSync.ts: the container's name, which is also its awslogs stream prefix.
readonly container=data-sync
# stacks/stackName.ts: what a stack name may be (also safe inside the patterns below).
readonly stack_name='^[a-z][a-z0-9-]{0,19}$'
readonly task_arn_pattern='^arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:task/[A-Za-z0-9_-]+/[A-Za-z0-9-]+$'

# What the stack's outputs give, set by read_task_outputs (and restart_service), and the task started.
outputs="" region="" cluster="" service="" task_definition="" network="" task_arn="" location=""

fail() {
  echo "::error::$*"
  exit 1
}

# output NAME PATTERN VARIABLE WHAT: the stack output NAME, a string matching PATTERN, into VARIABLE.
output() {
  local value shown
  value=$(jq -r --arg name "$1" '.[$name] | if type == "string" then . else "" end' <<<"$outputs")
  if [[ ! "$value" =~ $2 ]]; then
    shown=$(jq -c --arg name "$1" '.[$name]' <<<"$outputs")
    fail "$STACK: its stack output $1 is $shown; the data sync needs $4"
  fi
  printf -v "$3" '%s' "$value"
}

# The stack's outputs the task needs: region, cluster, task definition, network configuration.
read_task_outputs() {
  local subnets security_group public
  outputs=$(pulumi stack output --json --stack "$STACK")
  output region '^[a-z]{2}(-[a-z]+)+-[0-9]+$' region "its AWS region"
  output clusterName '^[A-Za-z0-9_-]{1,255}$' cluster "its ECS cluster"
  output dataSyncTaskDefinitionArn "^arn:aws[a-z-]*:ecs:$region:[0-9]{12}:task-definition/[A-Za-z0-9_-]{1,255}:[0-9]+\$" task_definition \
    "its data-sync task (set trading-bot:dataSync in Pulumi.$STACK.yaml, then pulumi up)"
  output dataSyncSecurityGroupId '^sg-[0-9a-f]{8,17}$' security_group "the task's security group"
  subnets=$(jq -c '.dataSyncSubnetIds | if type == "array" and length > 0 and all(.[]; type == "string" and test("^subnet-[0-9a-f]{8,17}$")) then . else empty end' <<<"$outputs")
  [[ -n "$subnets" ]] || fail "$STACK: its stack output dataSyncSubnetIds is not a list of subnet ids; the data sync needs the task's subnets"
  public=$(jq -r '.dataSyncAssignPublicIp | if . == true then "ENABLED" elif . == false then "DISABLED" else "" end' <<<"$outputs")
  [[ -n "$public" ]] || fail "$STACK: its stack output dataSyncAssignPublicIp is not true or false; the data sync needs it"
  network=$(jq -nc --argjson subnets "$subnets" --arg group "$security_group" --arg public "$public" \
    '{awsvpcConfiguration: {subnets: $subnets, securityGroups: [$group], assignPublicIp: $public}}')
}

# wait_rounds ROUNDS COMMAND...: an `aws ecs wait` command again until it succeeds, at most
# ROUNDS times. 0: done; 1: it failed otherwise than by giving up (e.g. access denied); 2: gave up.
wait_rounds() {
  local rounds=$1 round status
  shift
  for ((round = 1; round <= rounds; round++)); do
    status=0
    "$@" || status=$?
    if ((status == 0)); then return 0; fi
    if ((status != 255)); then
      echo "::error::$1 $2 $3 $4 failed (exit $status)"
      return 1
    fi
    echo "$4: not yet, after $((round * 10)) minutes"
  done
  return 2
}

# run_task ARGUMENTS: the data-sync task with the db tool's ARGUMENTS (a JSON array), to its end.
run_task() {
  local overrides started failures hint waited=0
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
  wait_rounds "$task_wait_rounds" aws ecs wait tasks-stopped --region "$region" --cluster "$cluster" --tasks "$task_arn" || waited=$?
  if ((waited != 0)); then
    aws ecs stop-task --region "$region" --cluster "$cluster" --task "$task_arn" \
      --reason "env-sync: not stopped within $((task_wait_rounds * 10)) minutes" --query task.lastStatus --output text ||
      echo "::warning::could not stop $task_arn: stop it by hand"
    if ((waited == 1)); then fail "$action in $STACK: could not wait for $task_arn; stopped it"; fi
    hint=$(log_hint)
    fail "$action in $STACK: $task_arn did not stop within $((task_wait_rounds * 10)) minutes; stopped it. $hint"
  fi
  check_exit_code
}

# Where the task's log is: the stream is <prefix>/<container>/<task id>, the prefix the container's name.
log_hint() {
  local family=${task_definition##*/}
  echo "Its log: the stream $container/$container/${task_arn##*/} of the log group /ecs/${family%:*}/..."
}

# Fails unless the data-sync container exited 0, saying why the task stopped and where its log is.
check_exit_code() {
  local described exit_code stopped meaning hint
  described=$(aws ecs describe-tasks --region "$region" --cluster "$cluster" --tasks "$task_arn" --output json)
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
  outputs=$(pulumi stack output --json --stack "$STACK")
  output region '^[a-z]{2}(-[a-z]+)+-[0-9]+$' region "its AWS region"
  output clusterName '^[A-Za-z0-9_-]{1,255}$' cluster "its ECS cluster"
  output serviceName '^[A-Za-z0-9_-]{1,255}$' service "its ECS service"
  deployment=$(aws ecs update-service --region "$region" --cluster "$cluster" --service "$service" --force-new-deployment \
    --query "service.deployments[?status=='PRIMARY'].id | [0]" --output text)
  echo "restart in $STACK: $service redeploys ($deployment)"
  wait_rounds "$service_wait_rounds" aws ecs wait services-stable --region "$region" --cluster "$cluster" --services "$service" || waited=$?
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
