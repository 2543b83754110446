/**
 * The seed's decision guide, as questions a team can answer: a quick fix keeps a Kaniko fork;
 * admin access to the runners means Buildah with chroot isolation; a recent Kubernetes runner
 * allows Buildah rootless; a shared runner without admin rights leaves Kaniko.
 */
import type { BuilderId } from '../builders/index.js';

export type Builder = BuilderId;

export interface Question {
  id: 'admin' | 'kubernetes';
  text: string;
}

export const QUESTIONS: readonly Question[] = [
  { id: 'admin', text: 'Can you change the configuration of the GitLab runners these jobs run on (config.toml or the Helm values)?' },
  { id: 'kubernetes', text: 'Are they Kubernetes runners on Kubernetes 1.33+ where pods may run with user namespaces (hostUsers: false)?' },
];

export interface Choice {
  builder: Builder;
  reason: string;
}

/** Answers in, builder out; `kubernetes` is asked only when `admin` is yes. */
export function chooseBuilder(answers: { admin: boolean; kubernetes?: boolean }): Choice {
  if (!answers.admin) {
    return {
      builder: 'kaniko',
      reason:
        'without access to the runner configuration, the maintained Kaniko fork is what runs on a default runner; ' +
        'move to buildah once the runner allows mount() and unshare()',
    };
  }
  if (answers.kubernetes) {
    return {
      builder: 'buildah-rootless',
      reason: 'a recent Kubernetes runner with user namespaces allows rootless isolation, the strongest of the daemonless options',
    };
  }
  return {
    builder: 'buildah',
    reason: 'with the runner configuration in hand, Buildah in chroot isolation needs only seccomp/AppArmor to allow mount() and unshare()',
  };
}
