import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from './user.entity';

/** What a service account's reference names: one namespace for deposits, withdrawals and holds. */
@Entity({ name: 'service_references' })
@Check('chk_service_references_kind', `"kind" IN ('DEPOSIT', 'WITHDRAWAL', 'HOLD')`)
export class ServiceReferenceEntity {
  @PrimaryColumn({
    name: 'service_user_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'pk_service_references',
  })
  serviceUserId!: string;

  @PrimaryColumn({
    type: 'varchar',
    length: 128,
    primaryKeyConstraintName: 'pk_service_references',
  })
  reference!: string;

  @ManyToOne(() => UserEntity, { nullable: false })
  @JoinColumn({
    name: 'service_user_id',
    referencedColumnName: 'id',
    foreignKeyConstraintName: 'fk_service_references_user',
  })
  serviceUser!: UserEntity;

  @Column({ type: 'varchar', length: 16 })
  kind!: 'DEPOSIT' | 'WITHDRAWAL' | 'HOLD';

  /** The operation (a deposit or withdrawal) or the hold. */
  @Column({ name: 'target_id', type: 'varchar', length: 36 })
  targetId!: string;
}
